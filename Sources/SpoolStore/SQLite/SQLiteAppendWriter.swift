import GRDB
import SpoolCore

/// Writes the appends of one group-commit transaction.
///
/// Each request is planned with reads only (`AppendPlan`) and written only when
/// the whole request is valid, so a refused request leaves nothing behind while
/// the others in the transaction go ahead.
struct SQLiteAppendWriter {
    let db: Database
    let now: Timestamp
    private(set) var nextPosition: Int
    /// Events stored by this transaction, in position order.
    private(set) var storedEvents: [Event] = []

    init(db: Database, now: Timestamp) throws {
        self.db = db
        self.now = now
        let maxPosition = try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM events")) ?? 0
        nextPosition = maxPosition + 1
    }

    /// Appends a request's inputs to one stream, or throws a `SpoolError` having written nothing.
    mutating func append(_ inputs: [AppendInput], to path: StreamPath) throws -> AppendResult {
        let stream = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, head_offset, paused FROM streams WHERE path = ?"), arguments: [path.rawValue])
        let streamID: Int64? = stream?[0]
        let plan = try AppendPlan(inputs, to: path, head: stream?[1] ?? 0, paused: stream?[2] ?? false) { key in
            guard let streamID else { return nil }
            return try storedEvent(streamID: streamID, path: path, key: key)
        }
        let (stored, answer) = plan.events(path: path, firstPosition: nextPosition, now: now)
        guard !stored.isEmpty else { return AppendResult(events: answer, storedCount: 0) }
        let id = try streamID ?? createStream(path)
        let insert = try EventInsertStatement(db)
        for event in stored { try insert.insert(event, streamID: id, db: db) }
        nextPosition += stored.count
        storedEvents += stored
        try db.cachedStatement(sql: "UPDATE streams SET head_offset = ?, updated_at = ?, paused = ? WHERE id = ?")
            .execute(arguments: [plan.headAfter, now.millisecondsSinceEpoch, plan.pausedAfter, id])
        return AppendResult(events: answer, storedCount: stored.count)
    }

    private func createStream(_ path: StreamPath) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO streams (path, head_offset, created_at, updated_at) VALUES (?, 0, ?, ?)")
            .execute(arguments: [path.rawValue, now.millisecondsSinceEpoch, now.millisecondsSinceEpoch])
        return db.lastInsertedRowID
    }

    private func storedEvent(streamID: Int64, path: StreamPath, key: String) throws -> Event? {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT offset, position, type, payload, metadata, idempotency_key, created_at
                    FROM events WHERE stream_id = ? AND idempotency_key = ?
                    """), arguments: [streamID, key])
        return row.map { SQLiteEventStore.event(from: $0, path: path) }
    }
}
