import SpoolCore
import Synchronization

/// Every stream's schedules, shared by the `scheduler` processor (which keeps
/// it current) and `SchedulerService` (which fires what is due).
///
/// Each stream's schedules are held with the stream offset they are the state
/// as of, and an update never replaces them with an older state: the processor
/// and the scheduler's snapshots (loaded when this node takes the scheduler
/// over) may deliver states of one stream in either order, and the newest wins.
public final class ScheduleBoard: Sendable {
    private struct Entry {
        var offset: Int
        /// Empty once every schedule is gone; kept so an older state cannot bring one back.
        var state: SchedulerState
    }

    private let entries = Mutex<[StreamPath: Entry]>([:])

    public init() {}

    /// Sets a stream's schedules to `state`, the state as of the stream's `offset`,
    /// unless the board already holds a state as of that offset or a later one.
    /// - Returns: whether the board took `state`.
    @discardableResult
    public func update(_ stream: StreamPath, state: SchedulerState, asOf offset: Int) -> Bool {
        entries.withLock { entries in
            if let held = entries[stream], held.offset >= offset { return false }
            entries[stream] = Entry(offset: offset, state: state)
            return true
        }
    }

    /// Takes each stream's state from `snapshots` where it is newer than what the board holds.
    public func merge(_ snapshots: [StreamPath: (offset: Int, state: SchedulerState)]) {
        for (stream, snapshot) in snapshots { update(stream, state: snapshot.state, asOf: snapshot.offset) }
    }

    /// Forgets every stream's schedules (this node no longer runs the scheduler).
    public func clear() {
        entries.withLock { $0.removeAll() }
    }

    /// Records a firing before its event comes back through the feed, so it is not fired again meanwhile.
    public func markFired(_ stream: StreamPath, name: String, dueAt: Timestamp) {
        entries.withLock { entries in
            guard var schedule = entries[stream]?.state.schedules[name] else { return }
            schedule.lastFiredDueAt = dueAt
            entries[stream]?.state.schedules[name] = schedule
        }
    }

    /// What should fire at `now`: per stream and schedule, the due time to fire.
    public func due(now: Timestamp) -> [(stream: StreamPath, entry: ScheduleEntry, dueAt: Timestamp)] {
        entries.withLock { entries in
            entries.flatMap { stream, held in
                held.state.dueToFire(now: now).map { (stream: stream, entry: $0.entry, dueAt: $0.dueAt) }
            }
        }
    }

    /// The earliest time anything is due.
    public var nextDue: Timestamp? {
        entries.withLock { $0.values.compactMap(\.state.nextDue).min() }
    }

    /// How many streams have schedules.
    public var streamCount: Int { entries.withLock { $0.values.filter { !$0.state.schedules.isEmpty }.count } }

    /// The stream's schedules the board holds, with the offset they are the state as of.
    public func schedules(of stream: StreamPath) -> (offset: Int, state: SchedulerState)? {
        entries.withLock { entries in entries[stream].map { ($0.offset, $0.state) } }
    }
}
