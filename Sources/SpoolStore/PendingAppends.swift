import Synchronization
import SpoolCore

/// Appends waiting for the writer. Whoever enqueues into an idle queue schedules
/// a drain; every append that arrives before the drain runs shares its
/// transaction and its one fsync (group commit). Used by every backend.
public final class PendingAppends: Sendable {
    public struct Request: Sendable {
        public var path: StreamPath
        public var inputs: [AppendInput]
        public var continuation: CheckedContinuation<AppendResult, any Error>

        public init(path: StreamPath, inputs: [AppendInput], continuation: CheckedContinuation<AppendResult, any Error>) {
            self.path = path
            self.inputs = inputs
            self.continuation = continuation
        }
    }

    private struct State {
        var requests: [Request] = []
        var drainScheduled = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Queues a request; returns true when the caller must schedule a drain.
    public func enqueue(_ request: Request) -> Bool {
        state.withLock { state in
            state.requests.append(request)
            if state.drainScheduled { return false }
            state.drainScheduled = true
            return true
        }
    }

    /// Takes every queued request; later arrivals schedule the next drain.
    public func takeAll() -> [Request] {
        state.withLock { state in
            state.drainScheduled = false
            defer { state.requests = [] }
            return state.requests
        }
    }
}
