import Synchronization

/// Bounds how many events are in flight between the feed and the processors,
/// so a slow processor makes the feed wait instead of filling memory.
final class AsyncSemaphore: Sendable {
    private struct Waiter {
        var id: Int
        var count: Int
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inUse = 0
        var waiters: [Waiter] = []
        var lastWaiterID = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(permits: Int) { limit = max(1, permits) }

    /// Takes `count` permits, waiting while that would exceed the limit. A request
    /// larger than the limit is granted alone, when nothing else is in flight.
    /// - Throws: `CancellationError` when the task is cancelled before the permits
    ///   are granted (a run stopped with its lanes gone would otherwise wait for good).
    func acquire(_ count: Int) async throws {
        let id = state.withLock { state in
            state.lastWaiterID += 1
            return state.lastWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted: Bool? = state.withLock { state in
                    // Checked under the lock the cancellation handler takes: either it finds the waiter, or this sees the flag.
                    if Task.isCancelled { return false }
                    if state.waiters.isEmpty && Self.fits(count, inUse: state.inUse, limit: limit) {
                        state.inUse += count
                        return true
                    }
                    state.waiters.append(Waiter(id: id, count: count, continuation: continuation))
                    return nil
                }
                switch granted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let (cancelled, woken) = state.withLock { state -> (Waiter?, [Waiter]) in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return (nil, []) }
                let cancelled = state.waiters.remove(at: index)
                return (cancelled, Self.wakeFitting(&state, limit: limit))
            }
            cancelled?.continuation.resume(throwing: CancellationError())
            for waiter in woken { waiter.continuation.resume() }
        }
    }

    func release(_ count: Int) {
        let woken = state.withLock { state in
            state.inUse -= count
            return Self.wakeFitting(&state, limit: limit)
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// Grants waiters in order while the first fits; returns those to wake.
    private static func wakeFitting(_ state: inout State, limit: Int) -> [Waiter] {
        var woken: [Waiter] = []
        while let first = state.waiters.first, fits(first.count, inUse: state.inUse, limit: limit) {
            state.inUse += first.count
            woken.append(first)
            state.waiters.removeFirst()
        }
        return woken
    }

    private static func fits(_ count: Int, inUse: Int, limit: Int) -> Bool {
        inUse == 0 || inUse + count <= limit
    }
}
