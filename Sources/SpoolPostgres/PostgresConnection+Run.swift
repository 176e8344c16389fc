import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement and reads its answer to the end.
    ///
    /// A result left unread can keep the connection busy: the next statement, or
    /// closing the connection, then waits for a reader that never comes. So
    /// statements whose rows nobody needs go through here, never a bare `query`.
    package func run(_ sql: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await query(sql, logger: logger) {}
    }
}
