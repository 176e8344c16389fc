import Dispatch
import GRDB
import Logging
import Synchronization

/// Copies committed pages from the write-ahead log into the database file on a
/// connection and thread of its own, so the store's single writer never does.
///
/// Left to SQLite, the connection that commits checkpoints whenever the log passes
/// 1,000 pages: it reads them back and writes and fsyncs the database file while
/// every append waits behind it. Here a passive checkpoint runs at most every
/// `interval` after commits (none while idle) and takes no lock the writer needs.
/// The writer still checkpoints by itself past `writerFallbackPages`, should this
/// one fall behind, so the log stays bounded.
final class WALCheckpointer: Sendable {
    /// How far the log may grow before the writer checkpoints by itself.
    static let writerFallbackPages = 16_384

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "spool.sqlite.checkpoint")
    private let interval: DispatchTimeInterval
    private let logger: Logger
    private let state = Mutex((scheduled: false, closed: false))

    init(path: String, interval: DispatchTimeInterval = .milliseconds(20), logger: Logger) throws {
        var configuration = Configuration()
        configuration.label = "spool.checkpoint"
        configuration.prepareDatabase { db in
            // The database file must be on disk before the log it replaces is reused.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.logger = logger
    }

    /// A transaction committed: checkpoint soon (once for all the commits until then).
    func committed() {
        let schedule = state.withLock { state in
            guard !state.scheduled, !state.closed else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        queue.asyncAfter(deadline: .now() + interval) { [self] in
            let closed = state.withLock { state in
                state.scheduled = false
                return state.closed
            }
            if !closed { checkpoint() }
        }
    }

    /// Copies what it can without waiting for anyone.
    func checkpoint() {
        do {
            try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            // Busy (the writer's own fallback checkpoint runs) or the file is gone: the next commit tries again.
            logger.debug("checkpoint skipped", metadata: ["spool.error": "\(error)"])
        }
    }

    /// Stops checkpointing and closes the connection (the store then closes its own).
    func close() {
        state.withLock { $0.closed = true }
        queue.sync {}
        try? connection.close()
    }
}
