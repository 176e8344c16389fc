import SpoolCore
import Synchronization

/// Mutual exclusion per stream for short async critical sections (a state read
/// and an append or two): tasks working on the same stream take turns, in the
/// order they asked; tasks on different streams never wait for each other.
///
/// ```swift
/// let locks = PerStreamLock()
/// try await locks.withLock(path) { try await decideAndAppend(path) }
/// ```
final class PerStreamLock: Sendable {
    /// Per locked stream, the tasks waiting for it in order; a stream absent is free.
    private let waiters = Mutex<[StreamPath: [CheckedContinuation<Void, Never>]]>([:])

    init() {}

    /// Runs `body` while holding the lock of `stream`. Waiting is not cancellable:
    /// the sections are short, and each one ends (returns or throws) before the next.
    func withLock<T>(_ stream: StreamPath, _ body: () async throws -> T) async rethrows -> T {
        await acquire(stream)
        defer { release(stream) }
        return try await body()
    }

    private func acquire(_ stream: StreamPath) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = waiters.withLock { waiters in
                guard waiters[stream] != nil else {
                    waiters[stream] = []
                    return true
                }
                waiters[stream]?.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release(_ stream: StreamPath) {
        let next = waiters.withLock { waiters -> CheckedContinuation<Void, Never>? in
            guard let queued = waiters[stream], let first = queued.first else {
                waiters[stream] = nil
                return nil
            }
            waiters[stream] = Array(queued.dropFirst())
            return first
        }
        next?.resume()
    }
}
