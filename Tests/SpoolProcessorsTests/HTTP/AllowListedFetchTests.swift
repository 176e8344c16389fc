import NIOHTTP1
import SpoolProcessors
import Testing

/// Requests for workers and agents follow redirects themselves, checking every hop against the allow-list.
@Suite(.timeLimit(.minutes(1)))
struct AllowListedFetchTests {
    func fetch(allowing hosts: [String], _ url: String, method: HTTPMethod = .GET, headers: HTTPHeaders = [:]) async throws -> AllowListedFetch.Response {
        let fetch = AllowListedFetch(allowedHosts: hosts, allowListName: "allowHosts", timeout: .seconds(10), maximumBodyBytes: 1 << 20)
        return try await fetch.perform(.init(url: url, method: method, headers: headers, body: "x=1"))
    }

    @Test func aRedirectToAHostNotAllowedIsRefused() async throws {
        try await LoopbackHTTPServer.with { target in
            try await LoopbackHTTPServer.with(status: { _ in 302 }, location: { _ in target.url }) { redirector in
                let start = redirector.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                await #expect {
                    _ = try await fetch(allowing: ["localhost"], start)
                } throws: { error in
                    "\(error)".contains("redirected to 127.0.0.1, which is not allowed")
                }
                #expect(redirector.requests.count == 1)
                #expect(target.requests.isEmpty, "the host behind the redirect was never asked")
            }
        }
    }

    @Test func redirectsWithinAllowedHostsAreFollowed() async throws {
        try await LoopbackHTTPServer.with(status: { _ in 204 }) { target in
            let next = target.url.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "?hop=2"
            try await LoopbackHTTPServer.with(status: { _ in 303 }, location: { _ in next }) { redirector in
                let answer = try await fetch(
                    allowing: ["localhost", "127.0.0.1"], redirector.url, method: .POST, headers: ["authorization": "Bearer k", "x-kept": "1"])
                #expect(answer.status == .noContent)
                let followed = try #require(target.requests.first)
                #expect(followed.method == .GET, "303 turns the POST into a GET")
                #expect(followed.uri == "/hook?hop=2")
                #expect(followed.body.isEmpty)
                #expect(followed.headers["authorization"].isEmpty, "credentials stay with the host they were meant for")
                #expect(followed.headers["x-kept"] == ["1"])
                #expect(redirector.requests.first?.method == .POST)
            }
        }
    }

    @Test func endlessRedirectsEnd() async throws {
        try await LoopbackHTTPServer.with(status: { _ in 307 }, location: { index in "/again/\(index)" }) { loop in
            await #expect {
                _ = try await fetch(allowing: ["127.0.0.1"], loop.url)
            } throws: { error in
                "\(error)".contains("redirected more than \(AllowListedFetch.maximumRedirects) times")
            }
            #expect(loop.requests.count == AllowListedFetch.maximumRedirects + 1)
            #expect(loop.requests.allSatisfy { $0.method == .GET && $0.body == Array("x=1".utf8) }, "307 keeps the method and body")
        }
    }
}
