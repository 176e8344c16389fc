import SpoolCore

/// Folds a stream's events into its `SchedulerState`. Pure: the clock is
/// never read, so the state can be rebuilt at any offset.
public enum SchedulerReducer {
    /// Adds or replaces a schedule, by name.
    public static let appendScheduledType = "spool/append-scheduled"
    /// `{name}`: removes a schedule.
    public static let scheduleCancelledType = "spool/schedule-cancelled"

    /// Applies one event:
    /// - `spool/append-scheduled`: adds the schedule, replacing one of the same
    ///   name (an invalid payload changes nothing);
    /// - `spool/schedule-cancelled {name}`: removes it;
    /// - any event whose metadata has `spool.schedule` and `spool.dueAt`: records
    ///   the firing, and removes a one-shot schedule.
    public static func reduce(into state: inout SchedulerState, event: Event) {
        // A fired event may itself schedule (a chain of one-shots under one name):
        // record the firing of the old schedule before adding the new one.
        if let metadataJSON = event.metadataJSON, metadataJSON.contains(ScheduleSpec.scheduleMetadataKey) {
            recordFiring(into: &state, metadata: event.metadata)
        }
        switch event.type {
        case appendScheduledType:
            guard let spec = try? ScheduleSpec(payload: event.payload) else { return }
            state.schedules[spec.name] = ScheduleEntry(spec: spec, scheduledAt: event.createdAt)
        case scheduleCancelledType:
            guard let name = event.payload["name"]?.stringValue else { return }
            state.schedules[name] = nil
        default:
            return
        }
    }

    private static func recordFiring(into state: inout SchedulerState, metadata: JSONValue?) {
        guard let name = metadata?[ScheduleSpec.scheduleMetadataKey]?.stringValue,
            let dueText = metadata?[ScheduleSpec.dueAtMetadataKey]?.stringValue,
            let dueAt = Timestamp(iso8601: dueText),
            var entry = state.schedules[name],
            entry.spec.timing.couldHaveFired(dueAt: dueAt, scheduledAt: entry.scheduledAt)
        else { return }
        if entry.spec.timing.isOneShot {
            state.schedules[name] = nil
        } else {
            entry.lastFiredDueAt = max(entry.lastFiredDueAt ?? dueAt, dueAt)
            state.schedules[name] = entry
        }
    }
}
