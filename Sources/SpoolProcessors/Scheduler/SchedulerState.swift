import SpoolCore

/// The schedules of one stream, by name: the fold of its
/// `spool/append-scheduled`, `spool/schedule-cancelled` and fired events.
public struct SchedulerState: Codable, Sendable, Equatable {
    public var schedules: [String: ScheduleEntry]

    public init(schedules: [String: ScheduleEntry] = [:]) {
        self.schedules = schedules
    }

    /// The earliest next due time over all schedules: when to look again.
    public var nextDue: Timestamp? {
        schedules.values.compactMap(\.nextDue).min()
    }

    /// The schedules due at `now`, each with the one due time to fire, by name.
    public func dueToFire(now: Timestamp) -> [(entry: ScheduleEntry, dueAt: Timestamp)] {
        schedules.values
            .compactMap { entry in entry.dueToFire(now: now).map { (entry, $0) } }
            .sorted { $0.entry.spec.name < $1.entry.spec.name }
    }
}

/// One schedule of a stream: what to append and when, and what already fired.
public struct ScheduleEntry: Codable, Sendable, Equatable {
    public var spec: ScheduleSpec
    /// The `createdAt` of the `spool/append-scheduled` event: intervals count from it.
    public var scheduledAt: Timestamp
    /// The due time of the last firing, if any.
    public var lastFiredDueAt: Timestamp?

    public init(spec: ScheduleSpec, scheduledAt: Timestamp, lastFiredDueAt: Timestamp? = nil) {
        self.spec = spec
        self.scheduledAt = scheduledAt
        self.lastFiredDueAt = lastFiredDueAt
    }

    /// The event the schedule appends.
    public var event: AppendInput { spec.event }

    /// The next due time; `nil` when the schedule will not fire again.
    public var nextDue: Timestamp? {
        spec.timing.nextDue(scheduledAt: scheduledAt, lastFiredDueAt: lastFiredDueAt)
    }

    /// The due time to fire at `now` (the latest missed one), or `nil`.
    public func dueToFire(now: Timestamp) -> Timestamp? {
        spec.timing.dueToFire(now: now, scheduledAt: scheduledAt, lastFiredDueAt: lastFiredDueAt)
    }

    /// The input to append for `dueAt`; see `ScheduleSpec.fireInput(dueAt:)`. The key also
    /// names when the schedule was made, so a schedule replaced under the same name never
    /// collides with a firing of the one it replaced.
    public func fireInput(dueAt: Timestamp) -> AppendInput {
        var input = spec.fireInput(dueAt: dueAt)
        input.idempotencyKey = ScheduleSpec.idempotencyKey(name: spec.name, dueAt: dueAt) + "/\(scheduledAt.millisecondsSinceEpoch)"
        return input
    }

    private enum CodingKeys: String, CodingKey {
        case spec, scheduledAt, lastFiredDueAt
    }

    /// Decodes an entry; instants are ISO 8601 strings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(ScheduleSpec.self, forKey: .spec)
        scheduledAt = try Self.timestamp(container.decode(String.self, forKey: .scheduledAt), .scheduledAt, container)
        lastFiredDueAt = try container.decodeIfPresent(String.self, forKey: .lastFiredDueAt).map {
            try Self.timestamp($0, .lastFiredDueAt, container)
        }
    }

    /// Encodes an entry; instants are ISO 8601 strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(spec, forKey: .spec)
        try container.encode(scheduledAt.iso8601, forKey: .scheduledAt)
        try container.encodeIfPresent(lastFiredDueAt?.iso8601, forKey: .lastFiredDueAt)
    }

    private static func timestamp(
        _ text: String, _ key: CodingKeys, _ container: KeyedDecodingContainer<CodingKeys>
    ) throws -> Timestamp {
        guard let timestamp = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not an ISO 8601 time")
        }
        return timestamp
    }
}
