import SpoolCore

/// The `scheduler` processor: folds `spool/append-scheduled`, `spool/schedule-cancelled`
/// and fired events into each stream's schedules and publishes them on a
/// `ScheduleBoard`, where `SchedulerService` fires them when due.
public struct Scheduler: StreamProcessor, SnapshotPolicy, EventInterest {
    public let name = "scheduler"
    public let streams = StreamPattern.all
    public let initialState = SchedulerState()
    let board: ScheduleBoard

    public init(board: ScheduleBoard) { self.board = board }

    public func reduce(into state: inout SchedulerState, event: Event) {
        SchedulerReducer.reduce(into: &state, event: event)
    }

    public func afterAppend(event: Event, state: SchedulerState, context: ProcessorContext) async throws {
        if let refusal = Self.refusal(of: event) {
            try await ConfigurationRefusal.report(refusal, on: event, processor: name, context: context)
        }
        if Self.changesSchedules(event) { board.update(event.streamPath, state: state, asOf: event.offset) }
    }

    /// Why a scheduling event changes nothing, if it does not.
    static func refusal(of event: Event) -> SpoolError? {
        switch event.type {
        case SchedulerReducer.appendScheduledType:
            do {
                _ = try ScheduleSpec(payload: event.payload)
                return nil
            } catch {
                return error
            }
        case SchedulerReducer.scheduleCancelledType where (event.payload["name"]?.stringValue ?? "").isEmpty:
            return SpoolError(.invalidEvent, "'name' must name the schedule to cancel")
        default:
            return nil
        }
    }

    /// Only events that change schedules: adding, cancelling, or a firing (its metadata says so).
    public func isInterested(in event: Event) -> Bool { Self.changesSchedules(event) }

    /// Schedules must survive a crash: their state is saved with the checkpoint.
    public func snapshotsImmediately(after event: Event) -> Bool { Self.changesSchedules(event) }

    static func changesSchedules(_ event: Event) -> Bool {
        event.type == SchedulerReducer.appendScheduledType || event.type == SchedulerReducer.scheduleCancelledType
            || event.metadataJSON?.contains(ScheduleSpec.scheduleMetadataKey) == true
    }
}
