import SpoolCore

/// The durable log behind Spool: append-only streams addressed by path.
///
/// Implementations (SQLite, PostgreSQL) pass one shared test suite. All
/// methods throw `SpoolError`.
public protocol EventStore: Sendable {
    /// Appends `inputs` to the stream at `path` atomically, with consecutive offsets.
    ///
    /// Inputs whose idempotency key was already stored with the same type and
    /// payload are not stored again; their original events come back instead.
    /// - Returns: the stored (or originally stored) events, in input order.
    /// - Throws: `offset_conflict`, `idempotency_conflict`, `stream_paused`, `internal`.
    func append(_ inputs: [AppendInput], to path: StreamPath) async throws -> AppendResult

    /// Events of one stream with offset greater than `after`, oldest first, at most `limit`.
    func read(_ path: StreamPath, after offset: Int, limit: Int) async throws -> [Event]

    /// Events of every stream under `prefix` with position greater than `after`,
    /// in position order, at most `limit`.
    func readFeed(prefix: StreamPrefix, after position: Int, limit: Int) async throws -> [Event]

    /// Events of one system type (`spool/…`) in every stream with position greater than
    /// `after`, in position order, at most `limit`. System events are indexed by type, so this
    /// costs what it returns, however many other events the store holds: how a processor
    /// finds its configurations when it starts.
    /// - Throws: `invalid_request` when `type` is not a system type (it would read the whole store).
    func readSystemEvents(ofType type: String, after position: Int, limit: Int) async throws -> [Event]

    /// The head offset of a stream, or `nil` when it never had an event.
    func headOffset(of path: StreamPath) async throws -> Int?

    /// The streams under `prefix` whose paths sort after `after` (from the first when `nil`),
    /// ordered by path, at most `limit`: a page of a listing that may be long.
    func streams(prefix: StreamPrefix, after: StreamPath?, limit: Int) async throws -> [StreamInfo]

    /// The highest position stored so far (0 for an empty store).
    func headPosition() async throws -> Int

    /// Where committed events are announced to live readers.
    var live: LiveHub { get }

    /// Checks that the store can answer now, for `/health`.
    /// - Throws: `unavailable` (503) when its database is out of reach.
    func checkHealth() async throws
}

/// The outcome of an append.
public struct AppendResult: Sendable {
    /// One event per input, in input order.
    public var events: [Event]
    /// How many of `events` were stored by this append (the rest are idempotent replays).
    public var storedCount: Int

    public init(events: [Event], storedCount: Int) {
        self.events = events
        self.storedCount = storedCount
    }

    /// True when nothing new was stored: every input was a replay.
    public var isReplay: Bool { storedCount == 0 }
}

extension EventStore {
    /// All the streams under `prefix`, ordered by path, in memory at once.
    public func streams(prefix: StreamPrefix) async throws -> [StreamInfo] {
        try await streams(prefix: prefix, after: nil, limit: .max)
    }

    /// For implementations of `readSystemEvents`: only system types are indexed by type.
    /// - Throws: `invalid_request` for any other type.
    public static func requireSystemType(_ type: String) throws {
        guard Event.isSystemType(type) else {
            throw SpoolError(.invalidRequest, "\(type) is not a system type (\(Event.systemTypePrefix)…): only those are indexed by type")
        }
    }

    /// A store answers when it can read its head.
    public func checkHealth() async throws {
        _ = try await headPosition()
    }

    /// Appends one input.
    @discardableResult
    public func append(_ input: AppendInput, to path: StreamPath) async throws -> Event {
        try await append([input], to: path).events[0]
    }

    /// Reads a stream live: the history after `after`, then each new event as it is committed.
    public func tail(_ path: StreamPath, after offset: Int = 0) -> LiveTail {
        LiveTail(mailbox: live.subscribe(to: path), cursor: offset, key: .offset) { cursor in
            try await self.read(path, after: cursor, limit: LiveTail.pageSize)
        }
    }

    /// Reads every stream under `prefix` live, in position order.
    ///
    /// With `filter`, only the events it accepts are delivered, from history and live; the hub
    /// applies it as it publishes, so a reader interested in a few events of a busy feed is not
    /// woken by the others. The tail's `.idle` then tells it when it has seen all it will see up
    /// to `live.publishedPosition`.
    public func tailFeed(prefix: StreamPrefix, after position: Int = 0, where filter: (@Sendable (Event) -> Bool)? = nil) -> LiveTail {
        LiveTail(mailbox: live.subscribe(toPrefix: prefix, where: filter), cursor: position, key: .position, filter: filter) { cursor in
            try await self.readFeed(prefix: prefix, after: cursor, limit: LiveTail.pageSize)
        }
    }
}
