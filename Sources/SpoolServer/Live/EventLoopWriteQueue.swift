import NIOCore
import Synchronization

/// Live chunks for the connections of one event loop, gathered on the publishing thread and
/// written on the loop by one job per burst instead of one job per connection.
final class EventLoopWriteQueue: Sendable {
    /// One chunk of frames for one connection.
    struct Write: Sendable {
        let sink: ChannelLiveSink
        let encoded: EncodedChunk
        /// The cursor of the frame's last event.
        let cursor: Int
    }

    private let eventLoop: any EventLoop
    private let pending = Mutex<[Write]>([])

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Queues `write`; the first write of a burst schedules the job that runs them all.
    func enqueue(_ write: Write) {
        let first = pending.withLock { pending in
            pending.append(write)
            return pending.count == 1
        }
        if first { eventLoop.execute { self.writeAll() } }
    }

    private func writeAll() {
        let writes = pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
        for write in writes { write.sink.write(write.encoded, through: write.cursor) }
    }
}

/// One `EventLoopWriteQueue` per event loop, made on first use.
final class EventLoopWriteQueues: Sendable {
    private let queues = Mutex<[ObjectIdentifier: EventLoopWriteQueue]>([:])

    func queue(for eventLoop: any EventLoop) -> EventLoopWriteQueue {
        queues.withLock { queues in
            if let queue = queues[ObjectIdentifier(eventLoop)] { return queue }
            let queue = EventLoopWriteQueue(eventLoop: eventLoop)
            queues[ObjectIdentifier(eventLoop)] = queue
            return queue
        }
    }
}
