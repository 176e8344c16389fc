import Foundation
import GRDB
import Logging
import ServiceLifecycle
import SpoolCore
import Synchronization

/// The embedded event store: one SQLite file in WAL mode with full fsync on
/// commit, so an acknowledged append survives `kill -9` and power loss.
///
/// Concurrent appends share transactions (group commit): while the writer is
/// busy, arriving appends queue up and are committed together with one fsync.
/// Live readers hear of committed events from a queue of their own, in commit
/// order, so announcing them never holds up the next commit.
///
/// ```swift
/// let store = try SQLiteEventStore(directory: "./spool-data", logger: logger)
/// try await store.append(AppendInput(type: "note/added"), to: StreamPath("/notes"))
/// ```
public final class SQLiteEventStore: EventStore, Service {
    public let live: LiveHub
    public let databasePath: String
    private let pool: DatabasePool
    private let pending = PendingAppends()
    private let checkpointer: WALCheckpointer
    /// Announces committed events to live readers in commit order, off the writer,
    /// which meanwhile starts the next group's transaction.
    private let publisher = DispatchQueue(label: "spool.sqlite.publish")
    private let streamIDs = Mutex<[StreamPath: Int64]>([:])
    /// How many stream ids `streamIDs` holds before it starts again.
    static let streamIDCacheLimit = 65_536
    private let logger: Logger

    /// Opens (creating if needed) the store in `directory`, file `spool.sqlite`.
    /// - Throws: `SpoolError`, `unavailable` if the database is read-only for this user.
    public init(directory: String, logger: Logger, live: LiveHub = LiveHub()) throws {
        try DataDirectory.create(directory)
        databasePath = (directory as NSString).appendingPathComponent("spool.sqlite")
        var configuration = Configuration()
        configuration.label = "spool"
        configuration.maximumReaderCount = 8
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA busy_timeout = 5000")
            // `checkpointer` keeps the log short; this is its fallback (see `WALCheckpointer`).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerFallbackPages)")
        }
        do {
            pool = try DatabasePool(path: databasePath, configuration: configuration)
            try Self.syncEveryCommit(pool)
            try Self.checkWritable(pool, path: databasePath)
            try SQLiteSchema.migrator.migrate(pool)
            checkpointer = try WALCheckpointer(path: databasePath, logger: logger)
        } catch let error as SpoolError where error.code == .unavailable {
            throw error  // a read-only database: `checkWritable` said so in full
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw Self.readOnly(path: databasePath, cause: error)  // found by GRDB's own set-up, or a migration
        } catch {
            throw SpoolError(.internalError, "cannot open database \(databasePath): \(error)", cause: error)
        }
        self.live = live
        self.logger = logger
    }

    /// WAL + FULL: every commit fsyncs the log, so an acknowledged append survives power
    /// loss, not only `kill -9`. Set on the writer after the pool is open: GRDB's WAL set-up
    /// runs after `prepareDatabase` and lowers it to NORMAL (the log synced only at
    /// checkpoints), which would silently undo it there.
    private static func syncEveryCommit(_ pool: DatabasePool) throws {
        let mode = try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try synchronousMode(db)
        }
        guard mode == synchronousFull else { throw SpoolError(.internalError, "SQLite refused synchronous = FULL (got \(mode ?? -1))") }
    }

    /// `PRAGMA synchronous`'s value for FULL.
    static let synchronousFull = 2

    /// A connection's `PRAGMA synchronous`.
    private static func synchronousMode(_ db: Database) throws -> Int? {
        try Int.fetchOne(db, sql: "PRAGMA synchronous")
    }

    /// The writer's `PRAGMA synchronous`, for tests.
    func writerSynchronousMode() async throws -> Int? {
        try await pool.write { db in try Self.synchronousMode(db) }
    }

    /// Runs until graceful shutdown, then ends live reads and closes the database.
    public func run() async throws {
        try? await gracefulShutdown()
        live.close()
        checkpointer.close()
        close()
    }

    /// Moves the log into the database file and closes every connection, so that `spool.sqlite`
    /// alone holds every event (a backup of a stopped server's file is whole). A failure is
    /// logged; nothing is lost by it, the log is read again at the next start.
    private func close() {
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            logger.warning("could not move the log into the database file", metadata: ["spool.error": "\(error)"])
        }
        do {
            try pool.close()
            logger.debug("store closed", metadata: ["spool.database": "\(databasePath)"])
        } catch {
            logger.warning("could not close the database", metadata: ["spool.error": "\(error)"])
        }
    }

    // MARK: Appending

    public func append(_ inputs: [AppendInput], to path: StreamPath) async throws -> AppendResult {
        guard !inputs.isEmpty else { return AppendResult(events: [], storedCount: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            let request = PendingAppends.Request(path: path, inputs: inputs, continuation: continuation)
            if pending.enqueue(request) {
                pool.asyncWriteWithoutTransaction { [self] db in drain(db) }
            }
        }
    }

    /// Commits every queued append in one transaction, then announces and acknowledges them.
    private func drain(_ db: Database) {
        let requests = pending.takeAll()
        guard !requests.isEmpty else { return }
        var outcomes: [Result<AppendResult, SpoolError>] = []
        outcomes.reserveCapacity(requests.count)
        var committed: [Event] = []
        do {
            try db.execute(sql: "BEGIN IMMEDIATE")
            var writer = try SQLiteAppendWriter(db: db, now: .now())
            for request in requests {
                do {
                    outcomes.append(.success(try writer.append(request.inputs, to: request.path)))
                } catch let error as SpoolError {
                    outcomes.append(.failure(error))
                }
            }
            try writer.saveStreamHeads()
            try db.execute(sql: "COMMIT")
            committed = writer.storedEvents
        } catch {
            try? db.execute(sql: "ROLLBACK")
            logger.error("append transaction failed", metadata: ["spool.error": "\(error)"])
            let failure = SpoolError(.internalError, "the store could not commit the append", cause: error)
            outcomes = Array(repeating: .failure(failure), count: requests.count)
        }
        if !committed.isEmpty {
            publisher.async { [live, committed] in live.publish(committed) }
            checkpointer.committed()
        }
        for (request, outcome) in zip(requests, outcomes) {
            request.continuation.resume(with: outcome)
        }
    }

    // MARK: Reading

    public func read(_ path: StreamPath, after offset: Int, limit: Int) async throws -> [Event] {
        guard let streamID = try await streamID(of: path) else { return [] }
        return try await reading { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT offset, position, type, payload, metadata, idempotency_key, created_at
                        FROM events WHERE stream_id = ? AND offset > ? ORDER BY offset LIMIT ?
                        """), arguments: [streamID, offset, limit])
            var events: [Event] = []
            events.reserveCapacity(min(limit, 1024))
            while let row = try rows.next() { events.append(Self.event(from: row, path: path)) }
            return events
        }
    }

    public func readFeed(prefix: StreamPrefix, after position: Int, limit: Int) async throws -> [Event] {
        try await reading { db in
            let (filter, arguments) = Self.prefixFilter(prefix, column: "s.path")
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT e.offset, e.position, e.type, e.payload, e.metadata, e.idempotency_key, e.created_at, s.path
                        FROM events e JOIN streams s ON s.id = e.stream_id
                        WHERE e.position > ? \(filter) ORDER BY e.position LIMIT ?
                        """), arguments: StatementArguments([position] + arguments + [limit]))
            return try Self.events(fromRowsWithPaths: rows)
        }
    }

    /// The events of rows of `event(from:path:)`'s columns followed by the stream's path,
    /// each path parsed once.
    static func events(fromRowsWithPaths rows: RowCursor) throws -> [Event] {
        var events: [Event] = []
        var paths: [String: StreamPath] = [:]
        while let row = try rows.next() {
            let text: String = row[7]
            let path = try paths[text] ?? StreamPath(text)
            paths[text] = path
            events.append(event(from: row, path: path))
        }
        return events
    }

    public func headOffset(of path: StreamPath) async throws -> Int? {
        try await reading { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT head_offset FROM streams WHERE path = ?"), arguments: [path.rawValue])
        }
    }

    public func headPosition() async throws -> Int {
        try await reading { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM events")) ?? 0
        }
    }

    public func streams(prefix: StreamPrefix, after: StreamPath?, limit: Int) async throws -> [StreamInfo] {
        try await reading { db in
            let (filter, arguments) = Self.prefixFilter(prefix, column: "path")
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT path, head_offset, created_at, updated_at, paused FROM streams
                        WHERE path > ? \(filter) ORDER BY path LIMIT ?
                        """),
                arguments: StatementArguments([after?.rawValue ?? ""] + arguments + [limit]))
            var streams: [StreamInfo] = []
            while let row = try rows.next() {
                streams.append(
                    StreamInfo(
                        path: try StreamPath(row[0] as String), headOffset: row[1],
                        createdAt: Timestamp(millisecondsSinceEpoch: row[2]),
                        updatedAt: Timestamp(millisecondsSinceEpoch: row[3]), paused: row[4]))
            }
            return streams
        }
    }

    // MARK: Helpers

    private func streamID(of path: StreamPath) async throws -> Int64? {
        if let cached = streamIDs.withLock({ $0[path] }) { return cached }
        let id = try await reading { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM streams WHERE path = ?"), arguments: [path.rawValue])
        }
        // Stream rows are never deleted, so a committed id can be cached for good.
        if let id {
            streamIDs.withLock { ids in
                // Bounded: a store read across millions of streams keeps only the recent ones.
                if ids.count >= Self.streamIDCacheLimit { ids.removeAll(keepingCapacity: true) }
                ids[path] = id
            }
        }
        return id
    }

    /// A write transaction outside the append path (checkpoints, snapshots).
    func writing(_ body: @Sendable @escaping (Database) throws -> Void) async throws {
        do {
            try await pool.write(body)
        } catch let error as SpoolError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("write failed", metadata: ["spool.error": "\(error)"])
            throw SpoolError(.internalError, "the store could not write", cause: error)
        }
    }

    func reading<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as SpoolError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.error("read failed", metadata: ["spool.error": "\(error)"])
            throw SpoolError(.internalError, "the store could not read", cause: error)
        }
    }

    /// A SQL condition selecting paths under `prefix` with an index range scan.
    static func prefixFilter(_ prefix: StreamPrefix, column: String) -> (String, [any DatabaseValueConvertible]) {
        guard let bounds = prefix.descendantBounds else { return ("", []) }
        return (
            "AND (\(column) = ? OR (\(column) > ? AND \(column) < ?))",
            [prefix.rawValue, bounds.lower, bounds.upper]
        )
    }

    static func event(from row: Row, path: StreamPath) -> Event {
        Event(
            streamPath: path, offset: row[0], position: row[1], type: row[2], payloadJSON: row[3],
            metadataJSON: row[4], idempotencyKey: row[5], createdAt: Timestamp(millisecondsSinceEpoch: row[6]))
    }
}
