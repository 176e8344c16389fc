import Synchronization
import SpoolCore

/// Fans committed events out to live readers, push-based.
///
/// A store publishes each committed batch once, in position order; the hub
/// hands every subscribed `Mailbox` the events of its stream or prefix.
public final class LiveHub: Sendable {
    /// How many undelivered events one reader may hold before it must catch up from the store.
    /// Enough for the processors' feeds to ride out a scheduling hiccup under a burst of
    /// batches (100k+ events/s); overflowing sends a reader to the store, which costs far more.
    public static let defaultMailboxCapacity = 32768
    /// How many bytes of undelivered events one reader may hold: envelopes, payloads and
    /// metadata. It bounds a reader's memory; a few large events fill it first.
    public static let defaultMailboxByteCapacity = 8 << 20

    private struct Subscribers {
        var byStream: [StreamPath: [ObjectIdentifier: Mailbox.Ref]] = [:]
        var byPrefix: [ObjectIdentifier: PrefixReader] = [:]
        var closed = false
    }

    private let subscribers = Mutex(Subscribers())
    private let published = Atomic<Int>(0)
    private let publishedEvents = Atomic<Int>(0)
    private let mailboxCapacity: Int
    private let mailboxByteCapacity: Int

    public init(mailboxCapacity: Int = LiveHub.defaultMailboxCapacity, mailboxByteCapacity: Int = LiveHub.defaultMailboxByteCapacity) {
        self.mailboxCapacity = mailboxCapacity
        self.mailboxByteCapacity = mailboxByteCapacity
    }

    /// Subscribes to the events of one stream. Keep the mailbox for as long as you read.
    public func subscribe(to path: StreamPath) -> Mailbox {
        let mailbox = Mailbox(capacity: mailboxCapacity, byteCapacity: mailboxByteCapacity) { [weak self] mailbox in
            self?.unsubscribe(ObjectIdentifier(mailbox), stream: path)
        }
        let closed = subscribers.withLock { subscribers in
            subscribers.byStream[path, default: [:]][ObjectIdentifier(mailbox)] = Mailbox.Ref(mailbox)
            return subscribers.closed
        }
        if closed { mailbox.close() }
        return mailbox
    }

    /// Subscribes to the events of every stream under `prefix`; with `filter`, to those of them
    /// it accepts. Events it refuses are never delivered, so they wake nobody: a reader that
    /// wants to know how far the feed went reads `publishedPosition` when its mailbox is drained.
    public func subscribe(toPrefix prefix: StreamPrefix, where filter: (@Sendable (Event) -> Bool)? = nil) -> Mailbox {
        let mailbox = Mailbox(capacity: mailboxCapacity, byteCapacity: mailboxByteCapacity) { [weak self] mailbox in
            self?.unsubscribe(ObjectIdentifier(mailbox), stream: nil)
        }
        let closed = subscribers.withLock { subscribers in
            subscribers.byPrefix[ObjectIdentifier(mailbox)] = PrefixReader(prefix: prefix, filter: filter, mailbox: Mailbox.Ref(mailbox))
            return subscribers.closed
        }
        if closed { mailbox.close() }
        return mailbox
    }

    private func unsubscribe(_ id: ObjectIdentifier, stream: StreamPath?) {
        subscribers.withLock { subscribers in
            if let stream {
                subscribers.byStream[stream]?[id] = nil
                if subscribers.byStream[stream]?.isEmpty == true { subscribers.byStream[stream] = nil }
            } else {
                subscribers.byPrefix[id] = nil
            }
        }
    }

    /// The number of live readers, for metrics and tests.
    public var subscriberCount: Int {
        subscribers.withLock { $0.byStream.values.reduce(0) { $0 + $1.count } + $0.byPrefix.count }
    }

    /// The number of live readers of `path` alone (not those of a prefix, such as
    /// processors following the feed), for tests.
    public func subscriberCount(of path: StreamPath) -> Int {
        subscribers.withLock { $0.byStream[path]?.count ?? 0 }
    }

    /// Announces committed events, which must come in position order.
    public func publish(_ events: [Event]) {
        guard !events.isEmpty else { return }
        var deliveries: [(Mailbox, [Event], bytes: Int)] = []
        subscribers.withLock { subscribers in
            var index = 0
            while index < events.count {
                // Consecutive events of one stream go out as one delivery.
                let path = events[index].streamPath
                var end = index + 1
                while end < events.count, events[end].streamPath == path { end += 1 }
                if let readers = subscribers.byStream[path] {
                    let slice = index == 0 && end == events.count ? events : Array(events[index..<end])
                    let bytes = Mailbox.byteCount(of: slice)  // once, however many read the stream
                    for reader in readers.values { if let mailbox = reader.value { deliveries.append((mailbox, slice, bytes)) } }
                }
                index = end
            }
            // Feed readers for whom every event matches (the processors' whole-store feeds, say)
            // share the published array and one byte count; the others get their own slice.
            // A mailbox is loaded only to be delivered to, so the last reference to it never
            // ends here: its `deinit` unsubscribes, which takes this (not re-entrant) lock.
            var allBytes: Int?
            for (_, entry) in subscribers.byPrefix {
                if entry.filter == nil, events.indices.allSatisfy({ entry.prefix.matches(events[$0].streamPath) }) {
                    guard let mailbox = entry.mailbox.value else { continue }
                    let bytes = allBytes ?? Mailbox.byteCount(of: events)
                    allBytes = bytes
                    deliveries.append((mailbox, events, bytes))
                    continue
                }
                let matching = entry.accepted(of: events)
                guard !matching.isEmpty, let mailbox = entry.mailbox.value else { continue }
                deliveries.append((mailbox, matching, Mailbox.byteCount(of: matching)))
            }
        }
        for (mailbox, events, bytes) in deliveries { mailbox.deliver(events, bytes: bytes) }
        published.store(events[events.count - 1].position, ordering: .releasing)
        publishedEvents.add(events.count, ordering: .relaxed)
    }

    /// How many events have been published since the hub was made: this node's commits
    /// and, on a store shared by several nodes, the others' (for metrics).
    public var publishedEventCount: Int { publishedEvents.load(ordering: .relaxed) }

    /// The newest position published: every event up to it is in its readers' mailboxes (or
    /// taken from them). Read it before asking a mailbox whether it is drained, and a drained
    /// reader has been handed every event of its own up to this position.
    public var publishedPosition: Int { published.load(ordering: .acquiring) }

    /// Wakes idle readers so they can send keep-alives.
    public func wakeIdleReaders() {
        for mailbox in allMailboxes() { mailbox.wakeIfIdle() }
    }

    /// Ends every live read, now and in future (shutdown).
    public func close() {
        subscribers.withLock { $0.closed = true }
        for mailbox in allMailboxes() { mailbox.close() }
    }

    private func allMailboxes() -> [Mailbox] {
        subscribers.withLock { subscribers in
            subscribers.byStream.values.flatMap { $0.values.compactMap(\.value) }
                + subscribers.byPrefix.values.compactMap(\.mailbox.value)
        }
    }
}

/// A reader of every stream under a prefix, or of the events of them its filter accepts.
private struct PrefixReader {
    let prefix: StreamPrefix
    let filter: (@Sendable (Event) -> Bool)?
    let mailbox: Mailbox.Ref

    /// The events this reader is to be handed.
    func accepted(of events: [Event]) -> [Event] {
        events.kept(by: accepts)
    }

    private func accepts(_ event: Event) -> Bool {
        prefix.matches(event.streamPath) && filter?(event) != false
    }
}

extension Mailbox {
    /// The hub holds mailboxes weakly: a reader that goes away unsubscribes by itself.
    struct Ref: Sendable {
        weak var value: Mailbox?
        init(_ value: Mailbox) { self.value = value }
    }
}
