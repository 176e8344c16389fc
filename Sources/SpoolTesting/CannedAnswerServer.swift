import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An HTTP server on a free loopback port that answers every request with the same
/// status and body: a stand-in for what is not Spool, such as a proxy whose upstream is down.
///
/// ```swift
/// try await CannedAnswerServer.with(status: .badGateway, body: "<html>…</html>") { server in
///     let client = SpoolClient(baseURL: server.baseURL)
///     await #expect(throws: SpoolError.self) { try await client.streams() }
/// }
/// ```
public struct CannedAnswerServer: Sendable {
    /// `http://127.0.0.1:PORT`
    public let baseURL: String

    /// Runs `body` against a running server, then shuts the server down.
    ///
    /// - Parameters:
    ///   - status: the status of every answer.
    ///   - contentType: the answers' `Content-Type`.
    ///   - body: the bytes of every answer, sent as they are (line ends included).
    public static func with<T: Sendable>(
        status: HTTPResponse.Status, contentType: String = "text/html", body: String,
        _ run: @Sendable (CannedAnswerServer) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "canned-answer")
        logger.logLevel = .error
        let responder = CallbackResponder<BasicRequestContext> { _, _ in
            Response(
                status: status, headers: [.contentType: contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        return try await withLoopbackServer(responder, serverName: "canned-answer", logger: logger) { port in
            try await run(CannedAnswerServer(baseURL: "http://127.0.0.1:\(port)"))
        }
    }
}
