import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpoolCore

/// A worker's `fetch(url, {method, headers, body})`, made by the server, to allowed hosts only.
///
/// Redirects are followed here rather than by the HTTP client, so that every hop is checked
/// against `allowHosts`: an allowed host that redirects elsewhere (an open redirect, a cloud
/// metadata address) must not carry the worker past its list.
struct WorkerFetch {
    let allowHosts: [String]
    let timeout: Duration
    let maximumBodyBytes: Int

    /// Hops followed before giving up, as browsers do (they allow 20; a worker needs fewer).
    static let maximumRedirects = 5

    /// The client of every worker's fetches: it follows no redirect by itself.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Performs the request `arguments` describes (`{url, init}`); answers `{status, headers, body}`.
    func perform(_ arguments: JSONValue) async throws -> JSONValue {
        let object = arguments.objectValue
        guard let text = object?["url"]?.stringValue, var url = URL(string: text) else {
            throw SpoolError(.invalidRequest, "fetch needs an http(s) URL")
        }
        try checkAllowed(url)
        let options = object?["init"]?.objectValue
        var method = HTTPMethod(rawValue: (options?["method"]?.stringValue ?? "GET").uppercased())
        var headers = HTTPHeaders()
        for (name, value) in options?["headers"]?.objectValue?.members ?? [] {
            headers.add(name: name, value: value.stringValue ?? value.jsonString)
        }
        var body = options?["body"].map { $0.stringValue ?? $0.jsonString }
        let deadline = NIODeadline.now() + .seconds(timeout.components.seconds)
        for _ in 0...Self.maximumRedirects {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = method
            request.headers = headers
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await Self.client.execute(request, deadline: deadline)
            guard let next = redirectTarget(of: response, from: url) else {
                return try await answer(response)
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
        throw SpoolError(.invalidRequest, "fetch of \(text) was redirected more than \(Self.maximumRedirects) times")
    }

    private func checkAllowed(_ url: URL, redirectedFrom origin: URL? = nil) throws {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host?.lowercased() else {
            throw SpoolError(.invalidRequest, origin.map { "fetch of \($0) redirected to \(url), not an http(s) URL" } ?? "fetch needs an http(s) URL")
        }
        guard allowHosts.contains(host) else {
            let allowed = allowHosts.isEmpty ? "none; add allowHosts to the worker's configuration" : allowHosts.joined(separator: ", ")
            let what = origin.map { "fetch of \($0) redirected to \(host), which" } ?? "fetch to \(host)"
            throw SpoolError(.invalidRequest, "\(what) is not allowed (allowHosts: \(allowed))")
        }
    }

    private func redirectTarget(of response: HTTPClientResponse, from url: URL) -> URL? {
        let redirects: [HTTPResponseStatus] = [.movedPermanently, .found, .seeOther, .temporaryRedirect, .permanentRedirect]
        guard redirects.contains(response.status), let location = response.headers.first(name: "location") else { return nil }
        return URL(string: location, relativeTo: url)?.absoluteURL
    }

    private func answer(_ response: HTTPClientResponse) async throws -> JSONValue {
        let body = try await response.body.collect(upTo: maximumBodyBytes)
        var headers = JSONObject()
        for header in response.headers { headers[header.name.lowercased()] = .string(header.value) }
        return ["status": .int(Int64(response.status.code)), "headers": .object(headers), "body": .string(String(buffer: body))]
    }
}
