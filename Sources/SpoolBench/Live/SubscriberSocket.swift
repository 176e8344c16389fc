#if canImport(Glibc)
import CLinuxSockets
import Glibc

/// One live read's connection: a plain socket that has sent its request and
/// read a `200` response head, ready to be read without blocking.
struct SubscriberSocket: Sendable {
    let descriptor: Int32
    /// Body bytes that arrived together with the response head.
    let bodyStart: [UInt8]

    /// Connects to `host`:`port`, sends `request` and reads the response head,
    /// waiting at most 10 s for it.
    /// - Throws: `BenchError` if the server cannot be reached or does not answer
    ///   `200` with a chunked body.
    static func open(host: String, port: Int, request: [UInt8]) throws -> SubscriberSocket {
        let descriptor = try PlainSocket.connect(host: host, port: port)
        do {
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard spool_enable_receive_timestamps(descriptor) == 0 else {
                throw BenchError("cannot ask for a live read's receive times: \(PlainSocket.errorText())")
            }
            try request.withUnsafeBytes { try PlainSocket.writeAll($0, to: descriptor, what: "a live read's request") }
            let (head, bodyStart) = try PlainSocket.readHead(from: descriptor, of: "answer to a live read")
            try checkHead(head)
            guard fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0 else {
                throw BenchError("cannot make a live read's socket non-blocking: \(PlainSocket.errorText())")
            }
            return SubscriberSocket(descriptor: descriptor, bodyStart: bodyStart)
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// Accepts `200` with a chunked body, the only framing the scanner reads.
    static func checkHead(_ head: String) throws {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = lines.first.map(String.init) ?? ""
        guard status.split(separator: " ").dropFirst().first == "200" else {
            throw BenchError("live read answered \(status)")
        }
        let chunked = lines.dropFirst().contains { line in
            let field = line.split(separator: ":", maxSplits: 1)
            return field.count == 2 && field[0].lowercased() == "transfer-encoding" && field[1].lowercased().contains("chunked")
        }
        guard chunked else { throw BenchError("live read answered without a chunked body") }
    }
}
#endif
