#if canImport(Glibc)
import CLinuxSockets
import Glibc

/// Sends one thread's share of a `PostingLoad` on the calling thread: each
/// connection sends a request, reads the whole response, and sends the next
/// (after `pause`, if there is one); one epoll set waits on all of them, as
/// `wrk` does, so the load costs the shared CPU a `write` and a `recv` per
/// request and little else.
struct PostingThread {
    struct Connection {
        let descriptor: Int32
        /// The request up to the value of `Content-Length`.
        let head: [UInt8]
        /// The whole request, when every body is the same.
        let fixedRequest: [UInt8]?
        var left: Int
        var sentAt: UInt64 = 0
        /// When to send the next request, while pausing between two.
        var dueAt: UInt64?
        var scanner = HTTPResponseScanner()
    }

    let targets: [PostingLoad.Target]
    let requestsPerConnection: Int
    let body: PostBody
    let pauseNanoseconds: UInt64?
    let stop: StopFlag

    /// How long a request may wait for its response before the run fails.
    static let responseTimeout: UInt64 = 60_000_000_000

    /// Connects, sends every request, and closes the connections.
    /// - Returns: every request's latency in nanoseconds, from sending it to the end of its response.
    /// - Throws: `BenchError` for a refused connection, a response that is not 2xx
    ///   (with its status and body), a connection the server closed, or a response
    ///   that takes over a minute.
    func run() throws -> [UInt64] {
        var connections: [Connection] = []
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        defer {
            if epoll >= 0 { close(epoll) }
            for connection in connections { close(connection.descriptor) }
        }
        guard epoll >= 0 else { throw BenchError("cannot create an epoll set: \(PlainSocket.errorText())") }
        for target in targets {
            let descriptor = try PlainSocket.connect(host: target.node.host, port: target.node.port)
            let head = target.node.postHead(target.path)
            var fixedRequest: [UInt8]?
            if case .same(let bytes) = body { fixedRequest = Self.request(head: head, body: bytes) }
            connections.append(Connection(descriptor: descriptor, head: head, fixedRequest: fixedRequest, left: requestsPerConnection))
            var interest = epoll_event(events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, data: epoll_data_t(u64: UInt64(connections.count - 1)))
            guard epoll_ctl(epoll, Int32(EPOLL_CTL_ADD), descriptor, &interest) == 0 else {
                throw BenchError("cannot watch a connection: \(PlainSocket.errorText())")
            }
        }
        var latencies: [UInt64] = []
        latencies.reserveCapacity(targets.count * requestsPerConnection)
        var sending = 0
        for index in connections.indices where connections[index].left > 0 {
            try send(&connections[index])
            sending += 1
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var ready = [epoll_event](repeating: epoll_event(), count: 256)
        while sending > 0, !stop.isSet {
            let count = epoll_wait(epoll, &ready, Int32(ready.count), waitMilliseconds(connections))
            if count < 0 {
                guard errno == EINTR else { throw BenchError("epoll_wait failed: \(PlainSocket.errorText())") }
                continue
            }
            for event in ready[..<Int(count)] {
                let index = Int(event.data.u64)
                let received = recv(connections[index].descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
                if received < 0 {
                    guard errno == EAGAIN || errno == EINTR else { throw BenchError("a request failed: \(PlainSocket.errorText())") }
                    continue
                }
                guard received > 0 else {
                    throw BenchError("the server closed a connection after \(requestsPerConnection - connections[index].left) of \(requestsPerConnection) requests")
                }
                guard let response = try connections[index].scanner.consume(UnsafeRawBufferPointer(rebasing: buffer[..<received])) else { continue }
                let now = RawHTTPLoad.now()
                latencies.append(now - connections[index].sentAt)
                guard response.isSuccess else {
                    throw BenchError("a POST answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
                }
                connections[index].left -= 1
                if connections[index].left == 0 {
                    sending -= 1
                    epoll_ctl(epoll, Int32(EPOLL_CTL_DEL), connections[index].descriptor, nil)
                } else if let pauseNanoseconds {
                    connections[index].dueAt = now + pauseNanoseconds
                } else {
                    try send(&connections[index])
                }
            }
            try sendDueRequests(&connections)
        }
        return latencies
    }

    private func send(_ connection: inout Connection) throws {
        connection.dueAt = nil
        connection.sentAt = RawHTTPLoad.now()
        let request: [UInt8]
        switch body {
        case .same: request = connection.fixedRequest!
        case .fresh(let make): request = Self.request(head: connection.head, body: make())
        }
        try request.withUnsafeBytes { try PlainSocket.writeAll($0, to: connection.descriptor, what: "a POST") }
    }

    /// Sends the requests whose pause is over; fails if a response is overdue.
    private func sendDueRequests(_ connections: inout [Connection]) throws {
        let now = RawHTTPLoad.now()
        for index in connections.indices where connections[index].left > 0 {
            if let dueAt = connections[index].dueAt {
                if dueAt <= now { try send(&connections[index]) }
            } else if now - connections[index].sentAt > Self.responseTimeout {
                throw BenchError("no response to a POST within \(Self.responseTimeout / 1_000_000_000) s")
            }
        }
    }

    /// Until the next paused request is due (rounded up), or a second at most.
    private func waitMilliseconds(_ connections: [Connection]) -> Int32 {
        guard pauseNanoseconds != nil, let next = connections.compactMap(\.dueAt).min() else { return 1000 }
        let now = RawHTTPLoad.now()
        return next <= now ? 0 : Int32((next - now + 999_999) / 1_000_000)
    }

    static func request(head: [UInt8], body: [UInt8]) -> [UInt8] {
        head + Array("\(body.count)\r\n\r\n".utf8) + body
    }
}
#endif
