import Synchronization

/// A thread-safe count, for progress shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }

    /// Raises the count to `candidate` if it is larger (a running maximum).
    func raise(to candidate: Int) { count.withLock { $0 = max($0, candidate) } }

    var value: Int { count.withLock { $0 } }
}
