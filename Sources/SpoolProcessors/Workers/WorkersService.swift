import Logging
import ServiceLifecycle
import SpoolCore

/// Starts the configured workers when the server starts, from the `workers`
/// processor's snapshots (events after them are replayed by the processor).
public struct WorkersService: Service {
    let workers: Workers
    let host: ProcessorHost
    let logger: Logger

    public init(workers: Workers, host: ProcessorHost, logger: Logger) {
        self.workers = workers
        self.host = host
        self.logger = logger
    }

    public func run() async throws {
        do {
            var latest: [String: WorkerSpec] = [:]
            for (_, state) in try await host.snapshotStates(of: workers) {
                for spec in state.workers.values where spec.sourcePosition > (latest[spec.identity]?.sourcePosition ?? -1) {
                    latest[spec.identity] = spec
                }
            }
            for spec in latest.values.sorted(by: { $0.sourcePosition < $1.sourcePosition }) {
                do {
                    try await workers.manager.deploy(spec)
                } catch {
                    logger.warning("configured worker cannot start", metadata: ["spool.processor": "\(spec.processorName)", "spool.error": "\(error)"])
                }
            }
            logger.debug("workers restored", metadata: ["spool.workers": "\(latest.count)"])
        } catch is CancellationError {
            // The server stopped (or failed to start) before the workers were back: nothing went wrong here.
        } catch {
            logger.error("cannot restore workers", metadata: ["spool.error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}
