import Synchronization

/// Bounds how many events are in flight between the feed and the processors,
/// so a slow processor makes the feed wait instead of filling memory.
final class AsyncSemaphore: Sendable {
    private struct State {
        var inUse = 0
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(permits: Int) { limit = max(1, permits) }

    /// Takes `count` permits, waiting while that would exceed the limit. A request
    /// larger than the limit is granted alone, when nothing else is in flight.
    func acquire(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                if state.waiters.isEmpty && Self.fits(count, inUse: state.inUse, limit: limit) {
                    state.inUse += count
                    return true
                }
                state.waiters.append((count, continuation))
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release(_ count: Int) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.inUse -= count
            var woken: [CheckedContinuation<Void, Never>] = []
            while let first = state.waiters.first, Self.fits(first.count, inUse: state.inUse, limit: limit) {
                state.inUse += first.count
                woken.append(first.continuation)
                state.waiters.removeFirst()
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    private static func fits(_ count: Int, inUse: Int, limit: Int) -> Bool {
        inUse == 0 || inUse + count <= limit
    }
}
