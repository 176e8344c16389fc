import PostgresNIO
import Synchronization

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

/// Runs `operation`, throwing `DeadlineExceeded` after `duration` and cancelling it.
///
/// The caller is answered at the deadline even if the operation does not heed
/// cancellation (a query on a connection the server dropped may never finish),
/// so the operation runs in a task of its own that may outlive the answer: a
/// request must never hang on the database. An append that commits after its
/// deadline was answered 503 — not acknowledged, which the contract allows — and
/// the feed follower still publishes it.
func withDeadline<T: Sendable>(_ duration: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, duration: duration, operation)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of the operation, the deadline and cancellation answers the caller.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var finished: Result<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T, any Error>, duration: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) {
        let alreadyFinished = state.withLock { state -> Result<T, any Error>? in
            if let finished = state.finished { return finished }
            state.continuation = continuation
            return nil
        }
        if let alreadyFinished { return continuation.resume(with: alreadyFinished) }
        let work = Task {
            do { self.finish(.success(try await operation())) } catch { self.finish(.failure(error)) }
        }
        let timer = Task {
            guard (try? await Task.sleep(for: duration)) != nil else { return }
            self.finish(.failure(DeadlineExceeded(duration: duration)))
        }
        let cancelNow = state.withLock { state in
            state.work = work
            state.timer = timer
            return state.finished != nil
        }
        if cancelNow {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            guard state.finished == nil else { return (nil, nil, nil) as (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) }
            state.finished = result
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let continuation else { return }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
    }
}
