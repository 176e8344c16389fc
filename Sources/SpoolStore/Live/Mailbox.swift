import Synchronization
import SpoolCore

/// One live reader's inbox of committed events.
///
/// The hub delivers into it without waiting; the reader takes everything
/// pending at once. A reader that falls more than `capacity` events (or
/// `byteCapacity` bytes of events in memory) behind is told it overflowed
/// (and its pending events are dropped) so it can catch up from the store
/// instead: a slow reader never grows memory without bound.
public final class Mailbox: Sendable {
    public enum Delivery: Sendable {
        /// Events committed since the last delivery, in commit order.
        case events([Event])
        /// Events were dropped; re-read from the store after calling `reset()`.
        case overflowed
        /// Nothing happened for a while; a chance to send a keep-alive.
        case idle
        /// A filtered read went through its history up to this cursor (offset or position)
        /// finding nothing its filter accepts: a reader's progress, not a keep-alive. Only
        /// `LiveTail` says so, once per page; a mailbox never does.
        case passed(through: Int)
        /// The hub closed (shutdown).
        case closed
    }

    private struct State {
        var pending: [Event] = []
        var pendingBytes = 0
        var overflowed = false
        var closed = false
        var waiter: CheckedContinuation<Delivery?, Never>?
        /// Where deliveries go instead of `pending` while the reader is caught up.
        var sink: (any LiveSink)?

        mutating func takePending() -> [Event] {
            defer {
                pending = []
                pendingBytes = 0
            }
            return pending
        }
    }

    public let capacity: Int
    public let byteCapacity: Int
    private let state = Mutex(State())
    private let onCancel: @Sendable (Mailbox) -> Void

    init(capacity: Int, byteCapacity: Int, onCancel: @escaping @Sendable (Mailbox) -> Void) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        self.onCancel = onCancel
    }

    /// Cancels the subscription; pending and future events are discarded.
    public func cancel() { onCancel(self) }

    deinit { onCancel(self) }

    /// What one event's envelope (id, path, type, numbers) takes in memory, beside its payload.
    public static let envelopeBytes = 256

    /// What `events` take in memory (envelopes, and each event's own text: payload, metadata,
    /// type and key; the stream path is shared), which counts against `byteCapacity`.
    static func byteCount(of events: [Event]) -> Int {
        // By index: `reduce` and `for in` copy each event, a retain and a release of every field.
        var total = 0
        for index in events.indices {
            total += envelopeBytes + events[index].payloadJSON.utf8.count + (events[index].metadataJSON?.utf8.count ?? 0)
                + events[index].type.utf8.count + (events[index].idempotencyKey?.utf8.count ?? 0)
        }
        return total
    }

    /// Hands over `events`, whose `byteCount` the hub computed once for every mailbox they go to.
    func deliver(_ events: [Event], bytes: Int) {
        var sink: (any LiveSink)?
        let wake: (CheckedContinuation<Delivery?, Never>, Delivery)? = state.withLock { state in
            guard !state.closed, !state.overflowed else { return nil }
            if let attached = state.sink {
                sink = attached
                return nil
            }
            if state.pending.count + events.count > capacity || state.pendingBytes + bytes > byteCapacity {
                state.overflowed = true
                state.pending = []
                state.pendingBytes = 0
            } else {
                // An idle reader takes the delivery's array as it is: shared, not copied event by event.
                if state.pending.isEmpty { state.pending = events } else { state.pending.append(contentsOf: events) }
                state.pendingBytes += bytes
            }
            guard let waiter = state.waiter.take() else { return nil }
            if state.overflowed { return (waiter, .overflowed) }
            return (waiter, .events(state.takePending()))
        }
        // Outside the lock: deliveries come from one publisher at a time, in commit order.
        sink?.receive(events)
        if let (waiter, delivery) = wake { waiter.resume(returning: delivery) }
    }

    /// Sends future deliveries to `sink` instead, if nothing is pending (the reader is caught
    /// up) and `start` says the sink can take them; `start` runs before any delivery reaches it.
    func attach(_ sink: any LiveSink, start: () -> Bool) -> Bool {
        state.withLock { state in
            guard !state.closed, !state.overflowed, state.pending.isEmpty, state.sink == nil, start() else { return false }
            state.sink = sink
            return true
        }
    }

    /// Sends future deliveries to `pending` again.
    func detachSink() {
        state.withLock { $0.sink = nil }
    }

    /// Detaches the sink, which could not keep up: the reader is told it overflowed.
    func sinkFellBehind() {
        let waiter = state.withLock { state -> CheckedContinuation<Delivery?, Never>? in
            guard state.sink != nil else { return nil }
            state.sink = nil
            state.overflowed = true
            _ = state.takePending()
            return state.waiter.take()
        }
        waiter?.resume(returning: .overflowed)
    }

    func wakeIfIdle() {
        let waiter = state.withLock { $0.waiter.take() }
        waiter?.resume(returning: .idle)
    }

    /// Whether the reader has taken every event delivered here: nothing pending or dropped,
    /// and no sink taking deliveries instead.
    var isDrained: Bool {
        state.withLock { $0.pending.isEmpty && !$0.overflowed && !$0.closed && $0.sink == nil }
    }

    /// Whether the hub or the reader closed this mailbox.
    var isClosed: Bool { state.withLock { $0.closed } }

    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            state.sink = nil
            _ = state.takePending()
            return state.waiter.take()
        }
        waiter?.resume(returning: .closed)
    }

    /// Clears an overflow, before the reader re-reads from the store: whatever
    /// is committed from now on is delivered here again.
    public func reset() {
        state.withLock { state in
            state.overflowed = false
            _ = state.takePending()
        }
    }

    /// Waits for the next delivery; `nil` when the calling task is cancelled.
    public func next() async -> Delivery? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
                let immediate: Delivery?? = state.withLock { state in
                    if Task.isCancelled { return .some(nil) }
                    if state.closed { return .closed }
                    if state.overflowed { return .overflowed }
                    if !state.pending.isEmpty { return .events(state.takePending()) }
                    state.waiter = continuation
                    return .none
                }
                if case .some(let delivery) = immediate { continuation.resume(returning: delivery) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiter.take() }
            waiter?.resume(returning: nil)
        }
    }
}
