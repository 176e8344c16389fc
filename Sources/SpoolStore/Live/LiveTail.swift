import SpoolCore

/// A live read: history from the store, then events as they are committed,
/// each exactly once and in order.
///
/// It subscribes before it reads history, so nothing committed in between is
/// missed; events seen twice (in history and live) are dropped by cursor. A
/// reader that overflows its mailbox goes back to reading the store.
///
/// With a `LiveSink` (see `handingLiveEvents(to:)`), events committed once the
/// read has caught up go to the sink straight from the publisher; the iterator
/// then only reports keep-alive chances and takes the read back when the sink
/// falls behind.
public struct LiveTail: AsyncSequence, Sendable {
    public typealias Element = Mailbox.Delivery

    /// How many events one catch-up read fetches.
    public static let pageSize = 1000

    let mailbox: Mailbox
    let cursor: Int
    let key: CursorKey
    let readPage: @Sendable (Int) async throws -> [Event]
    /// The events this read is handed, history and live alike (the hub applies it to live ones).
    let filter: (@Sendable (Event) -> Bool)?
    var sink: (any LiveSink)?

    public init(
        mailbox: Mailbox, cursor: Int, key: CursorKey, filter: (@Sendable (Event) -> Bool)? = nil,
        readPage: @escaping @Sendable (Int) async throws -> [Event]
    ) {
        self.mailbox = mailbox
        self.cursor = cursor
        self.key = key
        self.filter = filter
        self.readPage = readPage
    }

    /// Which number of an event the cursor follows.
    public enum CursorKey: Sendable {
        /// Per-stream offsets, for reading one stream.
        case offset
        /// Store-wide positions, for feeds.
        case position

        public func of(_ event: Event) -> Int { self == .offset ? event.offset : event.position }

        /// The events of `events` (in order) after `cursor`: the array as it is, not copied event
        /// by event, unless its first was handed out already.
        public func events(_ events: [Event], after cursor: Int) -> [Event] {
            guard let first = events.first, of(first) <= cursor else { return events }
            return events.filter { of($0) > cursor }
        }
    }

    /// Whether every live event delivered to this read has been handed out: true right after
    /// the iterator returned `.idle` and nothing arrived since.
    public var isDrained: Bool { mailbox.isDrained }

    /// Hands a reader waiting on an empty mailbox `.idle`, as a keep-alive would: the reader of a
    /// filtered feed learns so how far the feed went while it was not woken.
    public func wakeIfIdle() { mailbox.wakeIfIdle() }

    /// Ends the read: the iterator finishes after what it already holds (graceful shutdown).
    public func close() { mailbox.close() }

    /// This read with events, once it has caught up, handed to `sink` instead of returned.
    public func handingLiveEvents(to sink: any LiveSink) -> LiveTail {
        var tail = self
        tail.sink = sink
        return tail
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(tail: self, cursor: cursor)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let tail: LiveTail
        /// The key (offset or position) of the last event handed out.
        public private(set) var cursor: Int
        var catchingUp = true
        var finished = false
        /// Whether the tail's sink takes live events now.
        var sinkAttached = false

        init(tail: LiveTail, cursor: Int) {
            self.tail = tail
            self.cursor = cursor
        }

        /// The next batch: `.events` (never empty), `.idle`, or `nil` at the end
        /// (hub closed or task cancelled). A sink, if any, is stopped before the end.
        public mutating func next() async throws -> Mailbox.Delivery? {
            do {
                if let delivery = try await nextDelivery() { return delivery }
                await detachSink()
                return nil
            } catch {
                await detachSink()
                throw error
            }
        }

        private mutating func nextDelivery() async throws -> Mailbox.Delivery? {
            while !finished {
                try Task.checkCancellation()
                if catchingUp {
                    // A closed read ends quietly, also when the store closed under it.
                    guard !tail.mailbox.isClosed else {
                        finished = true
                        continue
                    }
                    let page: [Event]
                    do {
                        page = try await tail.readPage(cursor)
                    } catch where tail.mailbox.isClosed {
                        finished = true
                        continue
                    }
                    if let last = page.last {
                        cursor = tail.key.of(last)
                        guard let filter = tail.filter else { return .events(page) }
                        let kept = page.kept(by: filter)
                        // A long stretch of history the filter refuses still moves the reader on.
                        return kept.isEmpty ? .passed(through: cursor) : .events(kept)
                    }
                    catchingUp = false
                    continue
                }
                attachSinkIfCaughtUp()
                switch await tail.mailbox.next() {
                case .events(let events):
                    let fresh = tail.key.events(events, after: cursor)
                    guard let last = fresh.last else { continue }
                    cursor = tail.key.of(last)
                    return .events(fresh)
                case .overflowed:
                    await detachSink()
                    tail.mailbox.reset()
                    catchingUp = true
                case .idle:
                    return .idle
                case .passed:
                    continue  // a mailbox never says so
                case .closed, nil:
                    finished = true
                }
            }
            return nil
        }

        /// Hands live events to the sink when nothing is pending: the read has caught up.
        private mutating func attachSinkIfCaughtUp() {
            guard let sink = tail.sink, !sinkAttached else { return }
            let mailbox = tail.mailbox
            let cursor = cursor
            sinkAttached = mailbox.attach(sink) {
                sink.start(after: cursor, fallingBehind: { [weak mailbox] in mailbox?.sinkFellBehind() })
            }
        }

        /// Takes the read back from the sink, from the last event it wrote.
        private mutating func detachSink() async {
            guard let sink = tail.sink, sinkAttached else { return }
            sinkAttached = false
            tail.mailbox.detachSink()
            let written = await sink.stop()
            cursor = Swift.max(cursor, written)
        }
    }
}
