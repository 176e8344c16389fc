import SpoolCore

/// A live read: history from the store, then events as they are committed,
/// each exactly once and in order.
///
/// It subscribes before it reads history, so nothing committed in between is
/// missed; events seen twice (in history and live) are dropped by cursor. A
/// reader that overflows its mailbox goes back to reading the store.
public struct LiveTail: AsyncSequence, Sendable {
    public typealias Element = Mailbox.Delivery

    /// How many events one catch-up read fetches.
    public static let pageSize = 1000

    let mailbox: Mailbox
    let cursor: Int
    let key: CursorKey
    let readPage: @Sendable (Int) async throws -> [Event]

    public init(
        mailbox: Mailbox, cursor: Int, key: CursorKey,
        readPage: @escaping @Sendable (Int) async throws -> [Event]
    ) {
        self.mailbox = mailbox
        self.cursor = cursor
        self.key = key
        self.readPage = readPage
    }

    /// Which number of an event the cursor follows.
    public enum CursorKey: Sendable {
        /// Per-stream offsets, for reading one stream.
        case offset
        /// Store-wide positions, for feeds.
        case position

        public func of(_ event: Event) -> Int { self == .offset ? event.offset : event.position }
    }

    /// Ends the read: the iterator finishes after what it already holds (graceful shutdown).
    public func close() { mailbox.close() }

    public func makeAsyncIterator() -> Iterator {
        Iterator(tail: self, cursor: cursor)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let tail: LiveTail
        /// The key (offset or position) of the last event handed out.
        public private(set) var cursor: Int
        var catchingUp = true
        var finished = false

        init(tail: LiveTail, cursor: Int) {
            self.tail = tail
            self.cursor = cursor
        }

        /// The next batch: `.events` (never empty), `.idle`, or `nil` at the end
        /// (hub closed or task cancelled).
        public mutating func next() async throws -> Mailbox.Delivery? {
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
                        return .events(page)
                    }
                    catchingUp = false
                    continue
                }
                switch await tail.mailbox.next() {
                case .events(let events):
                    let fresh = events.filter { tail.key.of($0) > cursor }
                    guard let last = fresh.last else { continue }
                    cursor = tail.key.of(last)
                    return .events(fresh)
                case .overflowed:
                    tail.mailbox.reset()
                    catchingUp = true
                case .idle:
                    return .idle
                case .closed, nil:
                    finished = true
                }
            }
            return nil
        }
    }
}
