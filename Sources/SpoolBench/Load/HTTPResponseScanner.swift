import Foundation

/// Finds where each HTTP/1.1 response ends in the bytes read from a connection
/// that sends one request at a time, and what its status was.
///
/// Bodies must be framed by `Content-Length`, as Spool frames every answer to
/// a POST. A pure value, apart from the sockets, so it can be tested byte by
/// byte.
struct HTTPResponseScanner {
    struct Response: Equatable {
        let status: Int
        /// The start of the body (at most 1 KiB) when the status is not 2xx, for the error message.
        let body: [UInt8]

        var isSuccess: Bool { (200..<300).contains(status) }
    }

    /// The response head read so far, while its blank line has not arrived.
    private var head: [UInt8] = []
    private var status = 0
    /// Body bytes still to come, or nil while the head is being read.
    private var bodyLeft: Int?
    private var keptBody: [UInt8] = []

    static let headEnd = Array("\r\n\r\n".utf8)
    static let keptBodyLimit = 1024

    /// Reads `bytes`, the next piece of the connection's input.
    /// - Returns: the response that ended in `bytes`, if one did.
    /// - Throws: `BenchError` for a malformed head, a body without a length,
    ///   or bytes after a whole response (no request was waiting for them).
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws -> Response? {
        var bodyStart = 0
        if bodyLeft == nil {
            let searchFrom = max(0, head.count - Self.headEnd.count + 1)
            let before = head.count
            head.append(contentsOf: bytes)
            let end = head.withUnsafeBytes {
                SSELatencyScanner.find(Self.headEnd, in: $0.baseAddress! + searchFrom, count: $0.count - searchFrom)
            }
            guard let end else {
                if head.count > 64 * 1024 { throw BenchError("a response head is over 64 KiB") }
                return nil
            }
            let headLength = searchFrom + end
            (status, bodyLeft) = try Self.parse(head[..<headLength])
            bodyStart = headLength + Self.headEnd.count - before
            head.removeAll(keepingCapacity: true)
        }
        let available = bytes.count - bodyStart
        let taken = min(bodyLeft ?? 0, available)
        if !(200..<300).contains(status), keptBody.count < Self.keptBodyLimit {
            keptBody += bytes[bodyStart..<(bodyStart + min(taken, Self.keptBodyLimit - keptBody.count))]
        }
        bodyLeft? -= taken
        guard taken == available else { throw BenchError("the server sent bytes after a whole response") }
        guard bodyLeft == 0 else { return nil }
        let response = Response(status: status, body: keptBody)
        bodyLeft = nil
        keptBody = []
        return response
    }

    /// Reads the status code and `Content-Length` from a response head (without its blank line).
    private static func parse(_ head: ArraySlice<UInt8>) throws -> (status: Int, bodyLength: Int) {
        let lines = head.split(separator: UInt8(ascii: "\n")).map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
        guard let statusLine = lines.first, statusLine.starts(with: "HTTP/1.".utf8), statusLine.count >= 12,
            let status = Int(String(decoding: statusLine.dropFirst(9).prefix(3), as: UTF8.self))
        else {
            throw BenchError("the server sent a malformed status line")
        }
        var bodyLength: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let length = Int(value), length >= 0 else { throw BenchError("the server sent Content-Length \(value)") }
                bodyLength = length
            } else if name == "transfer-encoding" {
                throw BenchError("the server answered with Transfer-Encoding \(value); the load generator reads Content-Length bodies only")
            }
        }
        if status == 204 || status == 304 { return (status, 0) }
        guard let bodyLength else { throw BenchError("the server answered \(status) without Content-Length") }
        return (status, bodyLength)
    }
}
