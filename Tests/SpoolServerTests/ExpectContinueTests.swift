import Foundation
import SpoolCore
import SpoolTesting
import Testing

/// `Expect: 100-continue` (RFC 9110 §10.1.1): a client that waits to be told before sending a
/// body (curl does, for bodies over 1 MiB, for one second) is told as soon as the head is read,
/// unless the body would be refused anyway.
@Suite(.timeLimit(.minutes(2))) struct ExpectContinueTests {
    /// Sends `head`, waits (at most 20 s: an instant alone, seconds under the whole suite's load)
    /// for what the server says before the body, then sends `body` and reads the rest.
    static func exchange(port: Int, head: String, body: String) async throws -> (beforeBody: String, afterBody: String) {
        try await offload {
            let connection = try RawHTTP.Connection(port: port, timeout: 20)
            connection.send(Array(head.utf8))
            let beforeBody = connection.receive(until: "\r\n\r\n").answer
            connection.send(Array(body.utf8))
            return (beforeBody, connection.receive(until: "}\n").answer)
        }
    }

    @Test(arguments: ["/streams/expecting", "/hooks/expecting"])
    func aClientThatWaitsIsToldToContinue(_ target: String) async throws {
        try await withSpoolServer { http in
            let body = #"{"type":"t","payload":{"n":1}}"#
            let head = "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            let answer = try await Self.exchange(port: http.server.port, head: head, body: body)
            #expect(answer.beforeBody == "HTTP/1.1 100 Continue\r\n\r\n", "\(answer.beforeBody)")
            #expect(answer.afterBody.hasPrefix("HTTP/1.1 201"), "\(answer.afterBody)")
            #expect(try await http.events(of: "/expecting")?.count == 1)
        }
    }

    /// A body over the limit is refused from its declared length, without asking for it.
    @Test func aBodyTooLargeIsRefusedWithoutContinue() async throws {
        try await withSpoolServer { http in
            let head = "POST /streams/big HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: \(64 * 1024 * 1024)\r\n\r\n"
            let answer = try await offload {
                let connection = try RawHTTP.Connection(port: http.server.port, timeout: 20)
                connection.send(Array(head.utf8))
                return connection.receive(until: "}\n").answer
            }
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(300))")
            #expect(!answer.contains("100 Continue"), "\(answer.prefix(300))")
            #expect(answer.contains(#""code":"payload_too_large""#), "\(answer)")
        }
    }

    /// An HTTP/1.0 client cannot read a `100 Continue`: its expectation is ignored.
    @Test func anHTTP10ExpectationIsIgnored() async throws {
        try await withSpoolServer { http in
            let body = #"{"type":"t"}"#
            let request = "POST /streams/old HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(request.utf8)) }
            #expect(answer.hasPrefix("HTTP/1.0 201"), "\(answer.prefix(300))")
            #expect(!answer.contains("100 Continue"), "\(answer.prefix(300))")
        }
    }
}
