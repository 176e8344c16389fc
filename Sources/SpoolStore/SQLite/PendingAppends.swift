import Synchronization
import SpoolCore

/// Appends waiting for the writer. Whoever enqueues into an idle queue schedules
/// a drain; every append that arrives before the drain runs shares its
/// transaction and its one fsync (group commit).
final class PendingAppends: Sendable {
    struct Request: Sendable {
        var path: StreamPath
        var inputs: [AppendInput]
        var continuation: CheckedContinuation<AppendResult, any Error>
    }

    private struct State {
        var requests: [Request] = []
        var drainScheduled = false
    }

    private let state = Mutex(State())

    /// Queues a request; returns true when the caller must schedule a drain.
    func enqueue(_ request: Request) -> Bool {
        state.withLock { state in
            state.requests.append(request)
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
    }

    /// Takes every queued request; later arrivals schedule the next drain.
    func takeAll() -> [Request] {
        state.withLock { state in
            state.drainScheduled = false
            defer { state.requests = [] }
            return state.requests
        }
    }
}
