import Dispatch

/// Confines one `JSSandbox` to a serial dispatch queue: JavaScriptCore contexts
/// are not thread-safe, and running JavaScript there keeps it off the server's
/// I/O threads and the cooperative pool.
///
/// ```swift
/// let queue = JSSandboxQueue(label: "worker:counter")
/// let result = try await queue.run { sandbox in try sandbox.evaluate("1 + 1") }
/// ```
public final class JSSandboxQueue: @unchecked Sendable {
    // Only touched on `queue`.
    private let queue: DispatchQueue
    private var sandbox: JSSandbox?

    public init(label: String) {
        queue = DispatchQueue(label: "spool.js." + label)
    }

    /// Runs `body` with the sandbox on its queue, suspending the caller until it is done.
    public func run<T: Sendable>(_ body: @escaping @Sendable (JSSandbox) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.current()) })
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
        try queue.sync { try body(current()) }
    }

    private func current() throws -> JSSandbox {
        if let sandbox { return sandbox }
        let created = try JSSandbox()
        sandbox = created
        return created
    }
}
