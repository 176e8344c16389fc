import Logging
import PostgresNIO
import ServiceLifecycle
import SpoolCore
import SpoolStore
import Synchronization

/// The event store for several Spool nodes: every node opens the same
/// PostgreSQL database and serves the same streams.
///
/// - Appends on one node are grouped into shared transactions (group commit);
///   positions are assigned under a lock on `spool_head`, so they commit in
///   order across all nodes, and each batch holds it for no round trip (see
///   `PostgresAppendTransaction`).
/// - Commits are announced with `NOTIFY`; every node's `PostgresFeedFollower`
///   reads what other nodes committed and publishes it to its `LiveHub`, so live
///   tails and processors on every node see every event, once, in order.
///
/// The store is a `Service`: `run()` runs the connection pool, migrates the
/// schema, and then serves appends and notifications until shutdown.
///
/// ```swift
/// let store = try PostgresEventStore(url: "postgres://spool@127.0.0.1:5432/spool", logger: logger)
/// let group = ServiceGroup(services: [store, server], logger: logger)
/// ```
public final class PostgresEventStore: EventStore, Service {
    public let live: LiveHub
    let client: PostgresClient
    let configuration: PostgresStoreConfiguration
    let logger: Logger
    private let pending = PendingAppends()
    private let streamRows = StreamRowCache()
    private let streamPaths = StreamPathCache()
    private let drainRequests: AsyncStream<Void>
    private let requestDrain: AsyncStream<Void>.Continuation
    private let follower: PostgresFeedFollower
    private let lifecycle = Mutex(Lifecycle.starting)

    private enum Lifecycle {
        case starting, ready, closed
    }

    public init(configuration: PostgresStoreConfiguration, logger: Logger, live: LiveHub = LiveHub()) {
        self.configuration = configuration
        self.logger = logger
        self.live = live
        client = PostgresClient(configuration: configuration.client, backgroundLogger: Self.clientLogger(from: logger))
        (drainRequests, requestDrain) = AsyncStream.makeStream(of: Void.self)
        follower = PostgresFeedFollower(live: live, logger: logger)
    }

    /// The logger PostgresNIO's connection pool gets: Spool's, but below debug only warnings
    /// and worse. The pool logs every failed connection attempt at info, several a second
    /// while the database is away; Spool reports such an outage once, and its end, itself.
    static func clientLogger(from logger: Logger) -> Logger {
        var clientLogger = logger
        if logger.logLevel > .debug { clientLogger.logLevel = max(logger.logLevel, .warning) }
        return clientLogger
    }

    /// Opens the store at a `postgres://` URL (see `PostgresStoreConfiguration`).
    public convenience init(url: String, logger: Logger, live: LiveHub = LiveHub()) throws {
        self.init(configuration: try PostgresStoreConfiguration(url: url), logger: logger, live: live)
    }

    /// Runs the pool, migrates the schema, then serves appends and notifications
    /// until graceful shutdown or cancellation; then ends live reads.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.serve() }
            try? await gracefulShutdown()
            live.close()
            group.cancelAll()
        }
        lifecycle.withLock { $0 = .closed }
        failPendingAppends()
        logger.debug("store closed")
    }

    private func serve() async {
        guard let head = await migrate() else { return }
        follower.start(after: head)
        lifecycle.withLock { if case .starting = $0 { $0 = .ready } }
        logger.info("PostgreSQL store ready", metadata: ["spool.position": "\(head)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.follower.run(client: self.client, readFeed: self.readCommittedFeed) }
            group.addTask {
                for await _ in self.drainRequests { await self.drain() }
            }
        }
    }

    /// Applies migrations, retrying while the database is unreachable. Returns the head position.
    private func migrate() async -> Int? {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                // The pool waits for a connection while the database is away rather than failing
                // the request: a connection within the request timeout tells it is there.
                try await withDeadline(configuration.requestTimeout) { try await self.client.withConnection { _ in } }
                return try await client.withConnection { connection in
                    try await PostgresSchema.migrate(connection, logger: logger)
                    let rows = try await connection.query("SELECT position FROM spool_head", logger: logger).collect()
                    return try rows.first?.decode(Int.self) ?? 0
                }
            } catch {
                logger.warning("cannot prepare the database; retrying", metadata: ["spool.error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
        return nil
    }

    // MARK: Appending

    public func append(_ inputs: [AppendInput], to path: StreamPath) async throws -> AppendResult {
        guard !inputs.isEmpty else { return AppendResult(events: [], storedCount: 0) }
        try await waitUntilReady()
        return try await withCheckedThrowingContinuation { continuation in
            let request = PendingAppends.Request(path: path, inputs: inputs, continuation: continuation)
            if pending.enqueue(request) { requestDrain.yield() }
            // A store that closed meanwhile drains nobody's queue: answer for it.
            if lifecycle.withLock({ if case .closed = $0 { true } else { false } }) { failPendingAppends() }
        }
    }

    /// Commits every queued append in one transaction, then announces and acknowledges them.
    private func drain() async {
        let requests = pending.takeAll()
        guard !requests.isEmpty else { return }
        do {
            let (outcomes, stored) = try await withDatabase(
                "commit the append", ifLate: "the append may still be stored: send it again with the same idempotencyKey to find out"
            ) {
                try await self.client.withConnection { connection in
                    try await PostgresAppendTransaction(connection: connection, cache: self.streamRows, logger: self.logger).commit(requests)
                }
            }
            follower.committed(stored)
            for (request, outcome) in zip(requests, outcomes) { request.continuation.resume(with: outcome) }
        } catch {
            for request in requests { request.continuation.resume(throwing: error) }
        }
    }

    private func failPendingAppends() {
        let error = SpoolError(.unavailable, "the store is shutting down")
        for request in pending.takeAll() { request.continuation.resume(throwing: error) }
    }

    // MARK: Reading

    /// The columns of `spool_events e` that `PostgresRow.Iterator.event(path:)` decodes.
    static let eventColumns = #"e."offset", e.position, e.type, e.payload, e.metadata, e.idempotency_key, e.created_at"#

    public func read(_ path: StreamPath, after offset: Int, limit: Int) async throws -> [Event] {
        try await rows(
            """
            SELECT \(unescaped: Self.eventColumns) FROM spool_events e
            WHERE e.stream_id = (SELECT id FROM spool_streams WHERE path = \(path.rawValue)) AND e."offset" > \(offset)
            ORDER BY e."offset" LIMIT \(limit)
            """
        ).map { row in
            var cells = row.makeIterator()
            return try cells.event(path: path)
        }
    }

    public func readFeed(prefix: StreamPrefix, after position: Int, limit: Int) async throws -> [Event] {
        guard let range = prefix.descendantBounds else { return try await readWholeFeed(after: position, limit: limit) }
        let rows = try await rows(
            """
            SELECT s.path, \(unescaped: Self.eventColumns)
            FROM spool_events e JOIN spool_streams s ON s.id = e.stream_id
            WHERE e.position > \(position)
                AND (s.path = \(prefix.rawValue) OR (s.path > \(range.lower) AND s.path < \(range.upper)))
            ORDER BY e.position LIMIT \(limit)
            """)
        return try Self.events(fromRowsWithPaths: rows)
    }

    /// The events of rows of the stream's path followed by `eventColumns`, each path parsed once.
    static func events(fromRowsWithPaths rows: [PostgresRow]) throws -> [Event] {
        var paths: [String: StreamPath] = [:]
        return try rows.map { row in
            var cells = row.makeIterator()
            let text = try cells.nextText()
            let path = try paths[text] ?? StreamPath(text)
            paths[text] = path
            return try cells.event(path: path)
        }
    }

    /// Every stream's events after `position`: what the follower and the built-in processors
    /// read. Events come with their stream's id, named from `streamPaths`; only ids
    /// this node has not seen yet are looked up, once.
    private func readWholeFeed(after position: Int, limit: Int) async throws -> [Event] {
        let rows = try await rows(
            """
            SELECT e.stream_id, \(unescaped: Self.eventColumns) FROM spool_events e
            WHERE e.position > \(position) ORDER BY e.position LIMIT \(limit)
            """)
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        for row in rows {
            var cells = row.makeIterator()
            ids.append(Int64(try cells.nextInt()))
        }
        let distinct = Set(ids)
        var paths = streamPaths.paths(of: distinct)
        let unknown = distinct.subtracting(paths.keys)
        if !unknown.isEmpty {
            var found: [Int64: StreamPath] = [:]
            for row in try await self.rows("SELECT id, path FROM spool_streams WHERE id = ANY(\(Array(unknown)))") {
                let (id, path) = try row.decode((Int64, String).self)
                found[id] = try StreamPath(path)
            }
            streamPaths.remember(found)
            paths.merge(found) { _, new in new }
        }
        return try zip(rows, ids).map { row, id in
            guard let path = paths[id] else { throw SpoolError(.internalError, "a stored event names no stream (id \(id))") }
            var cells = row.makeIterator()
            _ = try cells.nextInt()
            return try cells.event(path: path)
        }
    }

    /// The whole feed after `position`, for the follower.
    @Sendable private func readCommittedFeed(after position: Int) async throws -> [Event] {
        try await readFeed(prefix: .root, after: position, limit: LiveTail.pageSize)
    }

    public func headOffset(of path: StreamPath) async throws -> Int? {
        try await rows("SELECT head_offset FROM spool_streams WHERE path = \(path.rawValue)").first?.decode(Int.self)
    }

    public func headPosition() async throws -> Int {
        try await rows("SELECT position FROM spool_head").first?.decode(Int.self) ?? 0
    }

    public func streams(prefix: StreamPrefix, after: StreamPath?, limit: Int) async throws -> [StreamInfo] {
        let range = prefix.descendantBounds
        return try await rows(
            """
            SELECT path, head_offset, created_at, updated_at, paused FROM spool_streams
            WHERE path > \(after?.rawValue ?? "")
              AND (\(range == nil) OR path = \(prefix.rawValue) OR (path > \(range?.lower ?? "") AND path < \(range?.upper ?? "")))
            ORDER BY path LIMIT \(limit)
            """
        ).map { row in
            let (path, head, created, updated, paused) = try row.decode((String, Int, Int64, Int64, Bool).self)
            return StreamInfo(
                path: try StreamPath(path), headOffset: head, createdAt: Timestamp(millisecondsSinceEpoch: created),
                updatedAt: Timestamp(millisecondsSinceEpoch: updated), paused: paused)
        }
    }

    /// Checks that the database answers, for `/health`.
    /// - Throws: `unavailable` when it does not answer within two seconds.
    public func checkHealth() async throws {
        try await waitUntilReady()
        _ = try await withDatabase("reach the database", timeout: .seconds(2)) {
            try await self.client.query("SELECT 1", logger: self.logger).collect()
        }
    }

    // MARK: Helpers

    /// The rows `sql` answers with.
    func rows(_ sql: PostgresQuery) async throws -> [PostgresRow] {
        try await waitUntilReady()
        return try await withDatabase("read") {
            try await self.client.query(sql, logger: self.logger).collect()
        }
    }

    /// Runs a database operation within the request timeout, turning failures into `SpoolError`s:
    /// an unreachable or silent database is 503 `unavailable`, anything else 500 `internal`.
    /// `ifLate` tells what may still happen to an operation given up at its deadline.
    func withDatabase<T: Sendable>(
        _ what: String, timeout: Duration? = nil, ifLate: String? = nil, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await withDeadline(timeout ?? configuration.requestTimeout, operation)
        } catch let error as SpoolError {
            throw error
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch let late as DeadlineExceeded {
            // Connected, but busy or waiting on a lock: not "unreachable", and the work may go on.
            logger.error("database operation timed out", metadata: ["spool.operation": "\(what)", "spool.error": "\(late)"])
            throw SpoolError(
                .unavailable, "the database did not answer within \(late.duration), so this server stopped waiting to \(what)"
                    + (ifLate.map { "; \($0)" } ?? ""), cause: late)
        } catch {
            let failure = PostgresFailure(error)
            logger.error("database operation failed", metadata: ["spool.operation": "\(what)", "spool.error": "\(failure.detail)"])
            if failure.isServerError {
                throw SpoolError(.internalError, "the store could not \(what)", cause: failure)
            }
            throw SpoolError(.unavailable, "the database is unreachable: could not \(what)", cause: failure)
        }
    }

    /// Waits (at most the request timeout) for the schema to be ready.
    func waitUntilReady() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.requestTimeout
        while true {
            switch lifecycle.withLock({ $0 }) {
            case .ready: return
            case .closed: throw SpoolError(.unavailable, "the store is shut down")
            case .starting:
                guard clock.now < deadline else {
                    throw SpoolError(.unavailable, "the database is unreachable: the store has not started yet")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
