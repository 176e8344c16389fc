import PostgresNIO

/// What went wrong talking to PostgreSQL, reduced to what the store needs: was
/// it the server refusing a statement (a bug or a damaged schema: 500), or the
/// database being out of reach (503, retried by clients)?
struct PostgresFailure: Error, Sendable {
    /// The SQLSTATE when the server answered with an error.
    var sqlState: String?
    /// A readable description for logs.
    var detail: String

    var isServerError: Bool { sqlState != nil && !Self.unavailableStates.contains(where: { sqlState!.hasPrefix($0) }) }

    /// Connection exceptions (08), operator intervention such as shutdown (57P) and
    /// insufficient resources (53) mean the database is unavailable, not wrong.
    private static let unavailableStates = ["08", "57P", "53"]

    init(_ error: any Error) {
        var error = error
        if let transaction = error as? PostgresTransactionError {
            error = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
        }
        if let psql = error as? PSQLError {
            sqlState = psql.serverInfo?[.sqlState]
            let message = psql.serverInfo?[.message].map { ": \($0)" } ?? ""
            detail = "\(psql.code)\(message)"
        } else {
            detail = String(describing: error)
        }
    }
}

/// A database operation took longer than its deadline.
struct DeadlineExceeded: Error, Sendable, CustomStringConvertible {
    var duration: Duration
    var description: String { "no answer from the database within \(duration)" }
}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` after `duration`
/// (waiting for a pooled connection while the database is down would otherwise never end).
func withDeadline<T: Sendable>(_ duration: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw DeadlineExceeded(duration: duration)
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
