import Logging
import ServiceLifecycle
import SpoolStore

/// Runs a processor on one node of several: only while this node holds the
/// processor's lease in the shared store.
///
/// The holder renews the lease every third of its duration. A node that dies
/// stops renewing, and another node takes over once the lease expires (within
/// `duration`), resuming from the saved checkpoint; what the dead node handled
/// after its last checkpoint is handled again, and its appends are not stored
/// twice because they carry derived idempotency keys. A node that cannot renew
/// stops its run at once, before another can take over.
struct ProcessorLease: Sendable {
    let name: String
    let holder: String
    let leases: any ProcessorLeaseStore
    let duration: Duration
    let logger: Logger

    private enum Outcome: Sendable {
        case finished
        case lost
    }

    /// Runs `body` each time the lease is won, until `body` finishes by itself
    /// (graceful shutdown or stop); then gives the lease up.
    func whileHeld(_ body: @escaping @Sendable () async throws -> Void) async throws {
        while !Task.isCancelled {
            if await renew() {
                logger.info("processor lease taken", metadata: ["spool.lease": "\(name)"])
                let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                    group.addTask {
                        try await body()
                        return .finished
                    }
                    group.addTask {
                        while await renew() { try await Task.sleep(for: duration / 3) }
                        return .lost
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? .finished
                }
                if case .finished = outcome {
                    try? await leases.releaseLease(name, holder: holder)
                    return
                }
                logger.warning("processor lease lost; waiting to take it again", metadata: ["spool.lease": "\(name)"])
            }
            // Waiting for another node's lease ends with graceful shutdown, as a run would.
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration / 5) }
            } catch {
                return
            }
        }
    }

    private func renew() async -> Bool {
        do {
            return try await leases.acquireLease(name, holder: holder, duration: duration)
        } catch {
            logger.debug("cannot renew processor lease", metadata: ["spool.lease": "\(name)", "spool.error": "\(error)"])
            return false
        }
    }
}
