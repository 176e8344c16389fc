import SpoolCore
import Synchronization

/// Every stream's schedules, shared by the `scheduler` processor (which keeps
/// it current) and `SchedulerService` (which fires what is due).
public final class ScheduleBoard: Sendable {
    private let states = Mutex<[StreamPath: SchedulerState]>([:])

    public init() {}

    /// Replaces a stream's schedules.
    public func update(_ stream: StreamPath, state: SchedulerState) {
        states.withLock { $0[stream] = state.schedules.isEmpty ? nil : state }
    }

    /// Records a firing before its event comes back through the feed, so it is not fired again meanwhile.
    public func markFired(_ stream: StreamPath, name: String, dueAt: Timestamp) {
        states.withLock { states in
            guard var entry = states[stream]?.schedules[name] else { return }
            entry.lastFiredDueAt = dueAt
            states[stream]?.schedules[name] = entry
        }
    }

    /// What should fire at `now`: per stream and schedule, the due time to fire.
    public func due(now: Timestamp) -> [(stream: StreamPath, entry: ScheduleEntry, dueAt: Timestamp)] {
        states.withLock { states in
            states.flatMap { stream, state in
                state.dueToFire(now: now).map { (stream: stream, entry: $0.entry, dueAt: $0.dueAt) }
            }
        }
    }

    /// The earliest time anything is due.
    public var nextDue: Timestamp? {
        states.withLock { $0.values.compactMap(\.nextDue).min() }
    }

    /// How many streams have schedules.
    public var streamCount: Int { states.withLock { $0.count } }
}
