import Foundation

/// Requests over a plain socket, for what a client library would not send or let us see.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// One request, read until the server closes (each read waits at most 30 s).
    static func exchange(port: Int, _ request: [UInt8]) throws -> String {
        try exchangeUntilClosed(port: port, request).answer
    }

    /// `exchange`, and whether the server closed the connection (rather than the wait ending).
    static func exchangeUntilClosed(port: Int, _ request: [UInt8]) throws -> (answer: String, closed: Bool) {
        let connection = try Connection(port: port)
        connection.send(request)
        return connection.receive()
    }

    /// A connection to the server on loopback; each read waits at most `timeout` seconds.
    final class Connection {
        private let descriptor: Int32

        init(port: Int, timeout seconds: Int = 30) throws {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw Failure(description: "socket: \(errno)") }
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(descriptor)
                throw Failure(description: "connect: \(errno)")
            }
        }

        deinit { close(descriptor) }

        func send(_ bytes: [UInt8]) {
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                // The server may answer and close before reading everything we send.
                if count <= 0 { break }
                sent += count
            }
        }

        /// What arrives until `ending` has (then at once), or until the server closes or a read
        /// times out; and whether the server closed the connection.
        func receive(until ending: String? = nil) -> (answer: String, closed: Bool) {
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if count <= 0 { return (String(decoding: answer, as: UTF8.self), count == 0) }
                answer += buffer[..<count]
                if let ending, String(decoding: answer, as: UTF8.self).contains(ending) { return (String(decoding: answer, as: UTF8.self), false) }
            }
        }
    }

    /// The head and body of one response with a `Content-Length`.
    static func split(_ answer: String) -> (head: String, body: String)? {
        guard let end = answer.range(of: "\r\n\r\n") else { return nil }
        return (String(answer[..<end.lowerBound]), String(answer[end.upperBound...]))
    }
}
