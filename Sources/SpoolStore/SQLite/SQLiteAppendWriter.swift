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
    /// The streams this transaction touched, as they stand in it: many appends of
    /// one group often go to the same stream, which is then read once and its row
    /// updated once, by `saveStreamHeads()`.
    private var streams: [StreamPath: StreamRow] = [:]
    /// Prepared once per transaction, used for every event of it.
    private let insert: EventInsertStatement

    private struct StreamRow {
        var id: Int64?
        var head: Int
        var paused: Bool
        var changed = false
    }

    init(db: Database, now: Timestamp) throws {
        self.db = db
        self.now = now
        insert = try EventInsertStatement(db)
        let maxPosition = try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM events")) ?? 0
        nextPosition = maxPosition + 1
    }

    /// Appends a request's inputs to one stream, or throws a `SpoolError` having written nothing.
    mutating func append(_ inputs: [AppendInput], to path: StreamPath) throws -> AppendResult {
        var stream = try streams[path] ?? loadStream(path)
        let streamID = stream.id
        let plan = try AppendPlan(inputs, to: path, head: stream.head, paused: stream.paused) { key in
            guard let streamID else { return nil }
            return try storedEvent(streamID: streamID, path: path, key: key)
        }
        let (stored, answer) = plan.events(path: path, firstPosition: nextPosition, now: now)
        guard !stored.isEmpty else {
            streams[path] = stream
            return AppendResult(events: answer, storedCount: 0)
        }
        let id = try streamID ?? createStream(path)
        for event in stored { try insert.insert(event, streamID: id, db: db) }
        nextPosition += stored.count
        storedEvents += stored
        stream.id = id
        stream.head = plan.headAfter
        stream.paused = plan.pausedAfter
        stream.changed = true
        streams[path] = stream
        return AppendResult(events: answer, storedCount: stored.count)
    }

    /// Writes the head offset and pause state of every stream this transaction appended to;
    /// call it once, before committing.
    func saveStreamHeads() throws {
        let update = try db.cachedStatement(sql: "UPDATE streams SET head_offset = ?, updated_at = ?, paused = ? WHERE id = ?")
        for stream in streams.values where stream.changed {
            try update.execute(arguments: [stream.head, now.millisecondsSinceEpoch, stream.paused, stream.id])
        }
    }

    private func loadStream(_ path: StreamPath) throws -> StreamRow {
        let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, head_offset, paused FROM streams WHERE path = ?"), arguments: [path.rawValue])
        guard let row else { return StreamRow(id: nil, head: 0, paused: false) }
        return StreamRow(id: row[0], head: row[1], paused: row[2])
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
