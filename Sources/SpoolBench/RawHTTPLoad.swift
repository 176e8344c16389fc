import Foundation

/// One server the load generator talks to, and the requests it sends there,
/// rendered as they go on the wire.
struct RawHTTPLoad: Sendable {
    let host: String
    let port: Int
    let token: String?

    init(baseURL: String, token: String?) throws {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else {
            throw BenchError("cannot use server URL \(baseURL)")
        }
        self.host = host
        self.port = port
        self.token = token
    }

    /// Sends `count` POSTs of `body` to `path` one after another on one connection.
    /// - Parameter pause: waits this long between a response and the next request.
    /// - Returns: each request's latency in nanoseconds.
    func post(_ path: String, count: Int, pause: Duration? = nil, body: PostBody) async throws -> [UInt64] {
        try await PostingLoad(targets: [.init(node: self, path: path)], requestsPerConnection: count, body: body, pause: pause).run()
    }

    /// The request for a live SSE read of `path` after offset `after`.
    func liveRequest(_ path: String, after: Int) -> String {
        head("GET", "/streams\(path)?live=true&after=\(after)") + "Accept: text/event-stream\r\n\r\n"
    }

    /// An append to `path`, up to the value of its `Content-Length`.
    func postHead(_ path: String) -> [UInt8] {
        Array((head("POST", "/streams" + path) + "Content-Type: application/json\r\nContent-Length: ").utf8)
    }

    /// The request line, `Host` and `Authorization`.
    private func head(_ method: String, _ uri: String) -> String {
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        return "\(method) \(uri) HTTP/1.1\r\nHost: \(host):\(port)\r\n\(authorization)"
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
