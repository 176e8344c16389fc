import Foundation
import SpoolCore
import SpoolTesting
import Testing

/// Requests the HTTP parser itself cannot read still get the contract's JSON error.
@Suite(.timeLimit(.minutes(2))) struct MalformedHTTPTests {
    @Test(arguments: [
        ("an unknown method", "FOO /health HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("headers over the parser's limit", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 90_000))\r\n\r\n"),
        ("a broken request line", "GET /health HTTP/9\r\n\r\n"),
    ])
    func unreadableRequestIsAJSONBadRequest(_ what: String, _ request: String) async throws {
        try await withSpoolServer { http in
            let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(request.utf8)) }
            let (head, body) = try #require(RawHTTP.split(answer), "\(what): \(answer.prefix(200))")
            #expect(head.hasPrefix("HTTP/1.1 400"), "\(what): \(head)")
            #expect(head.lowercased().contains("content-type: application/json"), "\(what): \(head)")
            #expect(head.lowercased().contains("connection: close"), "\(what): \(head)")
            let error = try #require(SpoolError(jsonBody: try JSONValue.parse(Array(body.utf8))), "\(what): \(body)")
            #expect(error.code == .invalidRequest)
            #expect(error.message.hasPrefix("malformed HTTP request"))
            // The server is fine afterwards.
            #expect(try await http.get("/health").status == 200)
        }
    }

    /// A body whose chunked framing is broken is the client's fault (400), not the server's,
    /// and nothing of it is stored.
    @Test(arguments: ["zz", "-1", "fffffffffffffffffffff"])
    func aBrokenChunkedBodyIsABadRequest(_ size: String) async throws {
        try await withSpoolServer { http in
            let request = "POST /streams/chunks/a HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nabc\r\n0\r\n\r\n"
            let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(request.utf8)) }
            let (head, body) = try #require(RawHTTP.split(answer), "\(size): \(answer.prefix(200))")
            #expect(head.hasPrefix("HTTP/1.1 400"), "\(size): \(head)")
            let error = try #require(SpoolError(jsonBody: try JSONValue.parse(Array(body.utf8))), "\(size): \(body)")
            #expect(error.code == .invalidRequest)
            #expect(try await http.get("/streams/chunks/a").status == 404, "nothing stored")
        }
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request must name its host; HTTP/1.0 ones need not. A
    /// refused append stores nothing, and a request pipelined before it still gets its answer.
    @Test func anHTTP11RequestWithoutHostIsABadRequest() async throws {
        try await withSpoolServer { http in
            let body = #"{"type":"t"}"#
            let noHost = "POST /streams/hostless HTTP/1.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(noHost.utf8)) }
            let (head, text) = try #require(RawHTTP.split(answer), "\(answer.prefix(200))")
            #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")
            #expect(head.lowercased().contains("connection: close"), "\(head)")
            let error = try #require(SpoolError(jsonBody: try JSONValue.parse(Array(text.utf8))), "\(text)")
            #expect(error.code == .invalidRequest)
            #expect(error.message.contains("Host header"), "\(error.message)")
            #expect(try await http.events(of: "/hostless") == nil, "nothing stored")

            let afterAGoodOne = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + noHost
            let both = try await offload { try RawHTTP.exchange(port: http.server.port, Array(afterAGoodOne.utf8)) }
            #expect(both.hasPrefix("HTTP/1.1 200"), "\(both.prefix(300))")
            #expect(both.contains("HTTP/1.1 400") && both.contains(#""code":"invalid_request""#), "\(both)")

            #expect(try await http.events(of: "/hostless") == nil)
        }
    }

    /// RFC 9112 §9.3: an HTTP/1.0 request (which needs no Host) is answered in HTTP/1.0, and its
    /// connection closed after the response unless it asked to keep it alive; a response of
    /// unknown length (a read, streamed) is not chunked, which HTTP/1.0 lacks, but ends with the
    /// connection.
    @Test func anHTTP10RequestIsAnsweredInHTTP10() async throws {
        try await withSpoolServer { http in
            try await http.append("/old", type: "t")
            let health = try await offload { try RawHTTP.exchangeUntilClosed(port: http.server.port, Array("GET /health HTTP/1.0\r\n\r\n".utf8)) }
            #expect(health.answer.hasPrefix("HTTP/1.0 200") && health.answer.hasSuffix(#"{"status":"ok"}"# + "\n"), "\(health.answer.prefix(300))")
            #expect(health.closed, "closed by the server, not by the client's 30 s timeout")

            let read = try await offload {
                try RawHTTP.exchangeUntilClosed(port: http.server.port, Array("GET /streams/old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".utf8))
            }
            let (head, body) = try #require(RawHTTP.split(read.answer), "\(read.answer.prefix(300))")
            #expect(head.hasPrefix("HTTP/1.0 200") && !head.lowercased().contains("transfer-encoding"), "\(head)")
            #expect(head.lowercased().contains("connection: close"), "no length: the close ends it: \(head)")
            #expect(read.closed, "and the server closed it")
            let events = try #require(try JSONValue.parse(Array(body.utf8)).arrayValue, "\(body)")
            #expect(events.count == 1)

            let kept = try await offload {
                try RawHTTP.exchange(
                    port: http.server.port,
                    Array("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
            }
            #expect(kept.hasPrefix("HTTP/1.0 200") && kept.lowercased().contains("connection: keep-alive"), "\(kept)")
            #expect(kept.contains("HTTP/1.1 200"), "the second request, on the same connection: \(kept)")
        }
    }

    /// A request that is fine followed by bytes that are not: the first gets its answer,
    /// then the rest its JSON error.
    @Test func garbageAfterAGoodRequestIsAnsweredAfterIt() async throws {
        try await withSpoolServer { http in
            let request = "POST /streams/pipelined HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12\r\n\r\n{\"type\":\"t\"}FOO / HTTP/1.1\r\n\r\n"
            let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(request.utf8)) }
            #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer.prefix(300))")
            let second = try #require(answer.range(of: "HTTP/1.1 400"), "\(answer)")
            #expect(answer[second.lowerBound...].contains(#""code":"invalid_request""#), "\(answer)")
            #expect(try await http.events(of: "/pipelined")?.count == 1)
        }
    }
}
