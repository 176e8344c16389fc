/// A test waited longer than it allows for something that should have happened.
struct TimeoutError: Error, CustomStringConvertible {
    var duration: Duration
    var description: String { "timed out after \(duration)" }
}

/// Runs `operation`, failing with `TimeoutError` (and cancelling it) if it takes
/// longer than `duration`, so a bug fails the test instead of hanging it.
func withTimeout<T: Sendable>(
    _ duration: Duration = .seconds(60), _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError(duration: duration)
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
