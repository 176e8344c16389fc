#if canImport(Glibc)
import CLinuxSockets
import Glibc
import Synchronization

/// Reads a share of the live subscribers on the calling thread, waiting on all
/// of them with one epoll set, as `wrk` and other lean load generators do: one
/// `read` per readable socket and a byte scan, no channel pipeline or task.
/// It collects what has arrived every `collectionInterval` rather than waking
/// for each frame (see `LiveSubscribers.collectionInterval`).
struct LiveReader {
    let sockets: [SubscriberSocket]
    /// Bench events each subscriber waits for before its read is done.
    let expected: Int
    let deadline: ContinuousClock.Instant
    let stop: StopFlag
    /// How long the reader sleeps before collecting again, when the last collection left nothing behind.
    let collectionInterval: Duration

    /// Reads until every socket has its `expected` events or has ended, the
    /// deadline passes, or `stop` is set; closes the sockets either way.
    /// - Returns: every latency measured.
    func run() throws -> LiveLatencies {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        defer {
            if epoll >= 0 { close(epoll) }
            for socket in sockets { close(socket.descriptor) }
        }
        guard epoll >= 0 else { throw BenchError("cannot create an epoll set: \(PlainSocket.errorText())") }
        var scanners = sockets.map { _ in SSELatencyScanner(expectedEvents: expected) }
        var reading = [Bool](repeating: true, count: sockets.count)
        var stillReading = sockets.count
        var waitsToRead: [UInt64] = []
        waitsToRead.reserveCapacity(sockets.count * expected)
        /// Measures the frames that end in `bytes` from when they arrived at the socket, and notes
        /// how long each then waited to be read.
        func measure(_ index: Int, _ bytes: UnsafeRawBufferPointer, arrivedAt: UInt64) throws {
            let readAt = LiveLatencies.now()
            let measuredBefore = scanners[index].latencies.count
            try scanners[index].consume(bytes, receivedAt: arrivedAt == 0 ? readAt : arrivedAt)
            let wait = arrivedAt == 0 ? 0 : readAt &- arrivedAt
            for _ in measuredBefore..<scanners[index].latencies.count { waitsToRead.append(wait) }
            if scanners[index].latencies.count >= expected || scanners[index].isFinished { finish(index) }
        }
        func finish(_ index: Int) {
            reading[index] = false
            stillReading -= 1
            epoll_ctl(epoll, Int32(EPOLL_CTL_DEL), sockets[index].descriptor, nil)
        }
        for (index, socket) in sockets.enumerated() {
            var interest = epoll_event(events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, data: epoll_data_t(u64: UInt64(index)))
            guard epoll_ctl(epoll, Int32(EPOLL_CTL_ADD), socket.descriptor, &interest) == 0 else {
                throw BenchError("cannot watch a live read's socket: \(PlainSocket.errorText())")
            }
            if !socket.bodyStart.isEmpty { try socket.bodyStart.withUnsafeBytes { try measure(index, $0, arrivedAt: 0) } }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var ready = [epoll_event](repeating: epoll_event(), count: 256)
        var collectedAll = true
        while stillReading > 0, !stop.isSet, ContinuousClock.now < deadline {
            if collectedAll { NewThread.sleep(for: collectionInterval) }
            let count = epoll_wait(epoll, &ready, Int32(ready.count), 0)
            collectedAll = count < ready.count
            if count < 0 {
                guard errno == EINTR else { throw BenchError("epoll_wait failed: \(PlainSocket.errorText())") }
                continue
            }
            for event in ready[..<Int(count)] {
                let index = Int(event.data.u64)
                guard reading[index] else { continue }
                var arrivedAt: UInt64 = 0
                let received = spool_recv_timestamped(sockets[index].descriptor, buffer.baseAddress, UInt(buffer.count), &arrivedAt)
                if received > 0 {
                    try measure(index, UnsafeRawBufferPointer(rebasing: buffer[..<received]), arrivedAt: arrivedAt)
                } else if received == 0 {
                    finish(index)
                } else if errno != EAGAIN, errno != EINTR {
                    throw BenchError("a live read failed: \(PlainSocket.errorText())")
                }
            }
        }
        return LiveLatencies(atSocket: scanners.flatMap(\.latencies), waitsToRead: waitsToRead)
    }
}

/// Tells reader threads to stop early (another part of the run failed).
final class StopFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
#endif
