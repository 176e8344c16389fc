import Logging
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// Fires due schedules: appends each schedule's event with the idempotency key
/// of its due time, so a firing repeated after a crash is stored once.
///
/// It fires only where the `scheduler` processor runs, since only there the
/// board is kept current: on a store shared by several nodes, the node holding
/// the processor's lease. Each time the processor starts here (at start, or
/// taking over from another node) the board is loaded from the scheduler's
/// snapshots and nothing fires until the processor has handled what was stored
/// before it started (so a schedule cancelled after its last snapshot does not
/// fire); then a run missed meanwhile fires once. When the processor leaves this
/// node, the board is cleared.
public struct SchedulerService: Service {
    let board: ScheduleBoard
    let scheduler: Scheduler
    let host: ProcessorHost
    let store: any EventStore
    let logger: Logger
    /// The longest the service sleeps before looking at the board again.
    let pollInterval: Duration

    public init(
        scheduler: Scheduler, host: ProcessorHost, store: any EventStore, logger: Logger,
        pollInterval: Duration = .milliseconds(250)
    ) {
        self.board = scheduler.board
        self.scheduler = scheduler
        self.host = host
        self.store = store
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                var loadedRun: Int?
                while !Task.isCancelled {
                    loadedRun = await follow(host.currentRun(of: scheduler.name), loaded: loadedRun)
                    if let loadedRun, host.currentRun(of: scheduler.name) == loadedRun {
                        await fireDue(now: .now())
                    }
                    try await Task.sleep(for: sleepDuration(now: .now()))
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        }
    }

    /// Keeps the board in step with where the scheduler runs; returns the run the board is loaded for.
    /// - Parameters:
    ///   - run: the scheduler's current run here, `nil` when it does not run here.
    ///   - loaded: the run the board was loaded for.
    func follow(_ run: Int?, loaded: Int?) async -> Int? {
        guard run != loaded else { return loaded }
        guard let run else {
            // Gone to another node: its board is no longer kept current here. A run that
            // started meanwhile keeps what it added (the next pass loads for it).
            host.unlessRunningHere(scheduler.name) { board.clear() }
            logger.debug("scheduler runs elsewhere; board cleared")
            return nil
        }
        do {
            let head = try await store.headPosition()
            // What the processor added since it started is newer and stays.
            board.merge(try await host.snapshots(of: scheduler))
            // Snapshots stop at the checkpoint: a schedule cancelled after it (just before a
            // takeover, or before a crash) is still on the board until the run handles the
            // cancellation. Nothing fires until the run has caught up with the head.
            guard try await host.waitUntilHandled(scheduler.name, through: head, inRun: run) else {
                return await follow(nil, loaded: run)  // the run ended meanwhile: drop what it loaded
            }
            logger.debug("scheduler runs here; board loaded", metadata: ["spool.streams": "\(board.streamCount)"])
            return run
        } catch is CancellationError {
            return nil  // shutting down
        } catch {
            logger.warning("cannot load the schedules; trying again", metadata: ["spool.error": "\(error)"])
            return loaded
        }
    }

    func fireDue(now: Timestamp) async {
        for (stream, entry, dueAt) in board.due(now: now) {
            do {
                try await store.append(entry.fireInput(dueAt: dueAt), to: stream)
            } catch let error as SpoolError where error.code == .streamPaused || error.code == .idempotencyConflict {
                // Not retried: a paused stream refuses it, a conflicting key means it already fired.
                logger.info("schedule skipped", metadata: ["spool.stream": "\(stream)", "spool.schedule": "\(entry.spec.name)", "spool.error": "\(error)"])
            } catch {
                logger.error("schedule could not fire", metadata: ["spool.stream": "\(stream)", "spool.error": "\(error)"])
                continue  // try again on the next pass
            }
            board.markFired(stream, name: entry.spec.name, dueAt: dueAt)
        }
    }

    func sleepDuration(now: Timestamp) -> Duration {
        guard let next = board.nextDue else { return pollInterval }
        let wait = Duration.milliseconds(max(0, next.millisecondsSinceEpoch - now.millisecondsSinceEpoch))
        return min(wait, pollInterval)
    }
}
