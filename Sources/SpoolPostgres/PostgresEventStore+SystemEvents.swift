import PostgresNIO
import SpoolCore

extension PostgresEventStore {
    public func readSystemEvents(ofType type: String, after position: Int, limit: Int) async throws -> [Event] {
        try Self.requireSystemType(type)
        let rows = try await rows(
            """
            SELECT s.path, \(unescaped: Self.eventColumns)
            FROM spool_events e JOIN spool_streams s ON s.id = e.stream_id
            WHERE \(unescaped: PostgresSchema.systemTypeCondition) AND e.type = \(type) AND e.position > \(position)
            ORDER BY e.position LIMIT \(limit)
            """)
        return try Self.events(fromRowsWithPaths: rows)
    }
}
