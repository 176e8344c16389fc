import Dispatch
import Synchronization

/// Confines one `JSSandbox` to a serial dispatch queue: JavaScriptCore contexts
/// are not thread-safe, and running JavaScript there keeps it off the server's
/// I/O threads and the cooperative pool.
///
/// A sandbox that goes over its memory limit is dropped, so its heap is freed, and
/// never replaced: every later run fails with the same `.memoryLimit` error.
///
/// ```swift
/// let queue = JSSandboxQueue(label: "worker:counter")
/// let result = try await queue.run { sandbox in try sandbox.evaluate("1 + 1") }
/// ```
public final class JSSandboxQueue: @unchecked Sendable {
    // Only touched on `queue`.
    private let queue: DispatchQueue
    private let memoryLimit: Int
    private var sandbox: JSSandbox?
    /// Set on `queue` when the sandbox went over its memory limit; read anywhere.
    private let dropped = Mutex<JSError?>(nil)

    /// - Parameter memoryLimit: bytes the sandbox's heap may hold (see `JSSandbox.init(memoryLimit:)`).
    public init(label: String, memoryLimit: Int = JSSandbox.defaultMemoryLimit) {
        queue = DispatchQueue(label: "spool.js." + label)
        self.memoryLimit = memoryLimit
    }

    /// Why the sandbox was dropped (it went over its memory limit), if it was.
    public var memoryFailure: JSError? {
        dropped.withLock { $0 }
    }

    /// Runs `body` with the sandbox on its queue, suspending the caller until it is done.
    public func run<T: Sendable>(_ body: @escaping @Sendable (JSSandbox) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.withSandbox(body) })
            }
        }
    }

    /// Like `run`, also returning the CPU time `body` used on the queue's thread.
    public func runMeasuringCPU<T: Sendable>(_ body: @escaping @Sendable (JSSandbox) throws -> T) async throws -> (T, cpu: Duration) {
        try await run { sandbox in
            let started = ThreadCPUTime.now()
            let value = try body(sandbox)
            return (value, ThreadCPUTime.now() - started)
        }
    }

    /// Runs `body` with the sandbox on its queue, blocking the calling thread (for synchronous callers such as `reduce`).
    public func runSynchronously<T>(_ body: (JSSandbox) throws -> T) throws -> T {
        try queue.sync { try withSandbox(body) }
    }

    /// Runs `body` with the sandbox (made on first use); drops it after if it went over its memory limit.
    private func withSandbox<T>(_ body: (JSSandbox) throws -> T) throws -> T {
        if let failure = dropped.withLock({ $0 }) { throw failure }
        let current = try sandbox ?? JSSandbox(memoryLimit: memoryLimit)
        sandbox = current
        defer {
            if let failure = current.memoryFailure {
                sandbox = nil
                dropped.withLock { $0 = failure }
            }
        }
        return try body(current)
    }
}
