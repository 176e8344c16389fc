/// `body` did not finish within its time limit.
public struct TimeLimitExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "did not finish within \(limit)" }
}

/// Runs `body`; when it has not finished within `limit`, cancels it and throws ``TimeLimitExceeded``.
///
/// For a wait that the code under test might never end (a hang is then a failure
/// with a reason, not a test stuck until the suite's time limit).
///
/// ```swift
/// let answer = try await withTimeLimit(.seconds(5)) { try await provider.stream(request).response() }
/// ```
@discardableResult
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        defer { group.cancelAll() }
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        guard let first = try await group.next(), let value = first else { throw TimeLimitExceeded(limit: limit) }
        return value
    }
}
