import Logging
import ServiceLifecycle
import SpoolCore

/// Keeps the workers running where the `workers` processor runs: on a store shared by
/// several nodes, the node holding its lease.
///
/// Each time the processor starts here (at start, or taking over from a node that died or
/// stopped) the configured workers are started from its snapshots; the processor then
/// replays the configurations stored after them. When it leaves this node, its workers stop
/// here, so their leases pass to the node that runs it now. Nodes that do not run it run no
/// worker: a worker removed or replaced there would otherwise live on and be taken over.
public struct WorkersService: Service {
    let workers: Workers
    let host: ProcessorHost
    let logger: Logger
    /// How often the service looks where the `workers` processor runs.
    let pollInterval: Duration

    public init(workers: Workers, host: ProcessorHost, logger: Logger, pollInterval: Duration = .milliseconds(100)) {
        self.workers = workers
        self.host = host
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var restoredRun: Int?
                while !Task.isCancelled {
                    restoredRun = await follow(host.currentRun(of: workers.name), restored: restoredRun)
                    try await Task.sleep(for: pollInterval)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: the host stops the workers with every other processor.
        }
    }

    /// Starts or stops the workers as the processor comes or goes; returns the run they were restored for.
    func follow(_ run: Int?, restored: Int?) async -> Int? {
        guard run != restored else { return restored }
        guard let run else {
            host.unlessRunningHere(workers.name) { workers.manager.removeAll() }
            logger.debug("workers run elsewhere; stopped here")
            return nil
        }
        do {
            try await restore()
            return run
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("cannot restore workers; trying again", metadata: ["spool.error": "\(error)"])
            return restored
        }
    }

    /// Starts the latest configured version of every worker, from the `workers` processor's snapshots.
    private func restore() async throws {
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
    }
}
