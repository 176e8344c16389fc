import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP request made for code Spool runs (a worker's `fetch`, an agent's `http_request`),
/// to allowed hosts only.
///
/// Redirects are followed here rather than by the HTTP client, so that every hop is checked
/// against the list: an allowed host that redirects elsewhere (an open redirect, a cloud
/// metadata address) must not carry the caller past it.
public struct AllowListedFetch: Sendable {
    public struct Request: Sendable {
        public var url: String
        public var method: HTTPMethod
        public var headers: HTTPHeaders
        public var body: String?

        public init(url: String, method: HTTPMethod = .GET, headers: HTTPHeaders = [:], body: String? = nil) {
            self.url = url
            self.method = method
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var headers: HTTPHeaders
        public var body: String
    }

    /// A request refused before it was sent: not http(s), or to a host not allowed.
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    /// Hosts requests may go to (lowercased names).
    public let allowedHosts: [String]
    /// Where the list comes from, for refusals: `allowHosts`, `SPOOL_HTTP_ALLOW`.
    public let allowListName: String
    /// For the whole request, redirects included.
    public let timeout: Duration
    public let maximumBodyBytes: Int

    /// Hops followed before giving up, as browsers do (they allow 20; code run here needs fewer).
    public static let maximumRedirects = 5

    /// The client of every such request: it follows no redirect by itself.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(allowedHosts: [String], allowListName: String, timeout: Duration, maximumBodyBytes: Int) {
        self.allowedHosts = allowedHosts
        self.allowListName = allowListName
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Sends `request`, following up to `maximumRedirects` redirects to allowed hosts.
    /// - Throws: `Refused`, or the HTTP client's error.
    public func perform(_ request: Request) async throws -> Response {
        guard var url = URL(string: request.url) else { throw Refused(description: "'\(request.url)' is not an http(s) URL") }
        try checkAllowed(url)
        var (method, headers, body) = (request.method, request.headers, request.body)
        let deadline = NIODeadline.now() + .seconds(timeout.components.seconds)
        for _ in 0...Self.maximumRedirects {
            var hop = HTTPClientRequest(url: url.absoluteString)
            hop.method = method
            hop.headers = headers
            if let body { hop.body = .bytes(ByteBuffer(string: body)) }
            let response = try await Self.client.execute(hop, deadline: deadline)
            guard let next = redirectTarget(of: response, from: url) else {
                let collected = try await response.body.collect(upTo: maximumBodyBytes)
                return Response(status: response.status, headers: response.headers, body: String(buffer: collected))
            }
            _ = try? await response.body.collect(upTo: maximumBodyBytes)
            try checkAllowed(next, redirectedFrom: url)
            if response.status == .seeOther || (method == .POST && [.movedPermanently, .found].contains(response.status)) {
                // As browsers do: the next request is a GET without the body.
                method = .GET
                body = nil
                headers.remove(name: "content-type")
                headers.remove(name: "content-length")
            }
            if next.host?.lowercased() != url.host?.lowercased() {
                headers.remove(name: "authorization")  // credentials meant for one host are not sent to another
            }
            url = next
        }
        throw Refused(description: "\(request.url) was redirected more than \(Self.maximumRedirects) times")
    }

    private func checkAllowed(_ url: URL, redirectedFrom origin: URL? = nil) throws {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host?.lowercased() else {
            throw Refused(description: origin.map { "\($0) redirected to \(url), not an http(s) URL" } ?? "'\(url)' is not an http(s) URL")
        }
        guard allowedHosts.contains(host) else {
            let allowed = allowedHosts.isEmpty ? "none" : allowedHosts.joined(separator: ", ")
            let what = origin.map { "\($0) redirected to \(host), which" } ?? "host \(host)"
            throw Refused(description: "\(what) is not allowed (\(allowListName): \(allowed))")
        }
    }

    private func redirectTarget(of response: HTTPClientResponse, from url: URL) -> URL? {
        let redirects: [HTTPResponseStatus] = [.movedPermanently, .found, .seeOther, .temporaryRedirect, .permanentRedirect]
        guard redirects.contains(response.status), let location = response.headers.first(name: "location") else { return nil }
        return URL(string: location, relativeTo: url)?.absoluteURL
    }
}
