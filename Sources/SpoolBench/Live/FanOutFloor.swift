#if canImport(Glibc)
import Glibc
import Synchronization

/// The least any server could spend on the live phase's fan-out on this machine:
/// a stand-in on loopback that answers each live read with a chunked response
/// head and then only writes each frame to every subscriber, from two threads as
/// Spool's two event loops do. The live phase's own readers measure it, so what
/// Spool adds over it is HTTP, the commit, and Spool's own work per event. (The
/// same measurement in C, without the bench: `scripts/fanout-floor.c`.)
final class FanOutFloor: Sendable {
    /// The stand-in's address, for the subscribers to connect to.
    let baseURL: String
    private let listener: Int32
    private let subscribers = Mutex<[Int32]>([])

    static let responseHead = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)

    /// Listens on a free loopback port.
    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw BenchError("cannot open the floor's socket: \(PlainSocket.errorText())") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 4096) == 0 && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw BenchError("cannot listen for the floor: \(PlainSocket.errorText())")
        }
        self.listener = listener
        baseURL = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    deinit {
        close(listener)
        for descriptor in subscribers.withLock({ $0 }) { close(descriptor) }
    }

    /// Accepts `count` live reads, answering each once its request head has arrived; blocks.
    func accept(count: Int) throws {
        for _ in 0..<count {
            let descriptor = Glibc.accept(listener, nil, nil)
            guard descriptor >= 0 else { throw BenchError("the floor cannot accept: \(PlainSocket.errorText())") }
            subscribers.withLock { $0.append(descriptor) }
            var on: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            _ = try PlainSocket.readHead(from: descriptor, of: "floor subscriber's request")
            try Self.responseHead.withUnsafeBytes { try PlainSocket.writeAll($0, to: descriptor, what: "the floor's response head") }
        }
    }

    /// Writes `rounds` frames to every subscriber, one round every `interval`, the
    /// subscribers shared among `threads` threads that each stamp their own frames.
    func send(rounds: Int, every interval: Duration, threads: Int, payload: String) async throws {
        let shares = (0..<threads).map { thread in
            subscribers.withLock { all in Array(stride(from: thread, to: all.count, by: threads).map { all[$0] }) }
        }
        let start = ContinuousClock.now + .milliseconds(10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for share in shares {
                group.addTask {
                    try await NewThread.run {
                        for round in 0..<rounds {
                            NewThread.sleep(for: start + interval * round - ContinuousClock.now)
                            let frame = Self.frame(id: round + 1, payload: payload, sentAt: LiveLatencies.now())
                            for descriptor in share {
                                try frame.withUnsafeBytes { try PlainSocket.writeAll($0, to: descriptor, what: "a floor frame") }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// One event's SSE frame as Spool sends it, in its HTTP/1.1 chunk.
    static func frame(id: Int, payload: String, sentAt: UInt64) -> [UInt8] {
        let frame = #"id: \#(id)\#ndata: {"type":"bench/event","payload":{"data":"\#(payload)","sentAt":\#(sentAt)}}\#n\#n"#
        return Array((String(frame.utf8.count, radix: 16) + "\r\n" + frame + "\r\n").utf8)
    }
}
#endif
