import GRDB
import SpoolCore

extension SQLiteEventStore {
    public func readSystemEvents(ofType type: String, after position: Int, limit: Int) async throws -> [Event] {
        try Self.requireSystemType(type)
        return try await reading { db in
            // INDEXED BY: should the condition ever stop matching the index's, the query fails
            // instead of quietly reading the whole table.
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT e.offset, e.position, e.type, e.payload, e.metadata, e.idempotency_key, e.created_at, s.path
                        FROM events e INDEXED BY \(SQLiteSchema.systemEventsIndex) JOIN streams s ON s.id = e.stream_id
                        WHERE e.type = ? AND \(SQLiteSchema.systemTypeCondition) AND e.position > ?
                        ORDER BY e.position LIMIT ?
                        """), arguments: [type, position, limit])
            return try Self.events(fromRowsWithPaths: rows)
        }
    }
}
