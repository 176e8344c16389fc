#if canImport(Glibc)
import Glibc

/// Blocking TCP sockets with plain system calls, for load generators that must
/// spend as little of the shared CPU as they can.
enum PlainSocket {
    /// Connects to the first address of `host` that accepts, with Nagle's algorithm off.
    /// - Returns: the connected socket's descriptor; the caller closes it.
    static func connect(host: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var addresses: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &addresses)
        guard status == 0, let first = addresses else {
            throw BenchError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(addresses) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var failure = "no address"
        while let address = candidate?.pointee {
            let descriptor = socket(address.ai_family, address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
            if descriptor >= 0 {
                if Glibc.connect(descriptor, address.ai_addr, address.ai_addrlen) == 0 {
                    var on: Int32 = 1
                    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                    return descriptor
                }
                failure = errorText()
                close(descriptor)
            }
            candidate = address.ai_next
        }
        throw BenchError("cannot connect to \(host):\(port): \(failure)")
    }

    /// Writes all of `bytes`, blocking until the kernel has taken them. A connection
    /// the server closed is an error, not a `SIGPIPE` that ends the process.
    /// - Parameter what: names the bytes in the error message.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, what: String) throws {
        var sent = 0
        while sent < bytes.count {
            let written = send(descriptor, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            if written < 0 {
                guard errno == EINTR else { throw BenchError("cannot send \(what): \(errorText())") }
                continue
            }
            sent += written
        }
    }

    /// Reads until the blank line that ends an HTTP head (a request's or a response's).
    /// - Parameter what: names the message in errors, as in "no answer to a live read".
    /// - Returns: the head, and whatever bytes after it came with it.
    static func readHead(from descriptor: Int32, of what: String) throws -> (head: String, rest: [UInt8]) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 64 * 1024 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw BenchError(count == 0 ? "the connection closed before the \(what)" : "no \(what): \(errorText())")
            }
            received += chunk[..<count]
            let end = received.withUnsafeBytes { SSELatencyScanner.find(HTTPResponseScanner.headEnd, in: $0.baseAddress!, count: $0.count) }
            if let end {
                let head = String(decoding: received[..<end], as: UTF8.self)
                return (head, Array(received[(end + HTTPResponseScanner.headEnd.count)...]))
            }
        }
        throw BenchError("the \(what) has a head over 64 KiB")
    }

    /// The text of the last system call's error.
    static func errorText() -> String { String(cString: strerror(errno)) }
}
#endif
