import Logging
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// Fires due schedules: appends each schedule's event with the idempotency key
/// of its due time, so a firing repeated after a crash is stored once. At start
/// it loads every stream's schedules from the scheduler's snapshots, and a run
/// missed while the server was down fires once.
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
                for (stream, state) in try await host.snapshotStates(of: scheduler) { board.update(stream, state: state) }
                logger.debug("scheduler loaded", metadata: ["spool.streams": "\(board.streamCount)"])
                while !Task.isCancelled {
                    await fireDue(now: .now())
                    try await Task.sleep(for: sleepDuration(now: .now()))
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
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
