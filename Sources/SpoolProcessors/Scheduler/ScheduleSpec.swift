import SpoolCore

/// The payload of `spool/append-scheduled`: a named schedule and the event it
/// appends when due.
///
/// ```json
/// {"name": "nightly", "cron": "0 3 * * *", "event": {"type": "report/requested"}}
/// ```
/// Exactly one of `at` (ISO 8601 UTC), `afterSeconds` (> 0),
/// `everySeconds` (≥ 1) or `cron` gives the timing.
public struct ScheduleSpec: Sendable, Equatable {
    /// The longest name in UTF-8 bytes, so that the firing's idempotency key fits.
    public static let maximumNameLength = 200
    /// The longest accepted `afterSeconds` or `everySeconds`: about a century.
    public static let maximumSeconds: Double = 3_153_600_000
    /// Metadata key naming the schedule on a fired event.
    public static let scheduleMetadataKey = "spool.schedule"
    /// Metadata key holding the due time (ISO 8601) on a fired event.
    public static let dueAtMetadataKey = "spool.dueAt"

    private static let knownFields: Set<String> = ["name", "at", "afterSeconds", "everySeconds", "cron", "event"]
    private static let timingFields = ["at", "afterSeconds", "everySeconds", "cron"]

    /// Unique per stream; scheduling the same name again replaces the schedule.
    public var name: String
    public var timing: ScheduleTiming
    /// What to append when the schedule fires.
    public var event: AppendInput

    public init(name: String, timing: ScheduleTiming, event: AppendInput) {
        self.name = name
        self.timing = timing
        self.event = event
    }

    /// Reads a `spool/append-scheduled` payload.
    /// - Throws: `invalid_event` naming the field that is wrong.
    public init(payload: JSONValue) throws(SpoolError) {
        guard let object = payload.objectValue else {
            throw SpoolError(.invalidEvent, "a schedule must be a JSON object, not \(payload.typeName)")
        }
        for key in object.keys where !Self.knownFields.contains(key) {
            throw SpoolError(
                .invalidEvent, "unknown schedule field '\(key)'; allowed: name, at, afterSeconds, everySeconds, cron, event")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty, name.utf8.count <= Self.maximumNameLength else {
            throw SpoolError(.invalidEvent, "'name' must be a string of 1–\(Self.maximumNameLength) bytes")
        }
        let given = Self.timingFields.filter { object[$0] != nil && object[$0] != .null }
        guard given.count == 1 else {
            let list = given.map { "'\($0)'" }.joined(separator: ", ")
            throw SpoolError(
                .invalidEvent,
                given.isEmpty
                    ? "a schedule needs one of 'at', 'afterSeconds', 'everySeconds' or 'cron'"
                    : "a schedule takes only one of 'at', 'afterSeconds', 'everySeconds' or 'cron'; got \(list)")
        }
        self.init(
            name: name, timing: try Self.timing(field: given[0], value: object[given[0]] ?? .null),
            event: try Self.event(object["event"]))
    }

    private static func timing(field: String, value: JSONValue) throws(SpoolError) -> ScheduleTiming {
        switch field {
        case "at":
            guard let text = value.stringValue, let instant = Timestamp(iso8601: text) else {
                throw SpoolError(.invalidEvent, "'at' must be an ISO 8601 UTC time such as 2026-01-31T09:00:00Z")
            }
            return .at(instant)
        case "afterSeconds":
            guard let seconds = value.doubleValue, seconds > 0, seconds <= maximumSeconds else {
                throw SpoolError(.invalidEvent, "'afterSeconds' must be a number greater than 0")
            }
            return .after(milliseconds: max(1, Int64((seconds * 1000).rounded())))
        case "everySeconds":
            guard let seconds = value.doubleValue, seconds >= 1, seconds <= maximumSeconds else {
                throw SpoolError(.invalidEvent, "'everySeconds' must be a number of at least 1")
            }
            return .every(milliseconds: Int64((seconds * 1000).rounded()))
        default:
            guard let text = value.stringValue else {
                throw SpoolError(.invalidEvent, "'cron' must be a string such as \"*/15 * * * *\"")
            }
            return .cron(try CronExpression(text))
        }
    }

    private static func event(_ value: JSONValue?) throws(SpoolError) -> AppendInput {
        guard let value, value != .null else {
            throw SpoolError(.invalidEvent, "a schedule needs an 'event' to append: {type, payload?, metadata?}")
        }
        let input: AppendInput
        do {
            input = try AppendInput(json: value)
        } catch {
            throw SpoolError(.invalidEvent, "'event': \(error.message)")
        }
        if input.idempotencyKey != nil || input.expectedOffset != nil {
            throw SpoolError(
                .invalidEvent, "'event' must not set 'idempotencyKey' or 'expectedOffset'; the scheduler sets the key")
        }
        return input
    }

    /// The payload this spec was read from (in canonical form).
    public var payload: JSONValue {
        var object: JSONObject = ["name": .string(name)]
        switch timing {
        case .at(let instant): object["at"] = .string(instant.iso8601)
        case .after(let milliseconds): object["afterSeconds"] = Self.seconds(milliseconds)
        case .every(let milliseconds): object["everySeconds"] = Self.seconds(milliseconds)
        case .cron(let expression): object["cron"] = .string(expression.source)
        }
        object["event"] = event.jsonValue
        return .object(object)
    }

    private static func seconds(_ milliseconds: Int64) -> JSONValue {
        milliseconds % 1000 == 0 ? .int(milliseconds / 1000) : .double(Double(milliseconds) / 1000)
    }

    /// The input to append when the schedule fires for `dueAt`: the event with
    /// `spool.schedule` and `spool.dueAt` added to its metadata, and the key
    /// `spool-schedule:<name>@<dueAt>`, so firing the same due time twice (say,
    /// after a crash) stores it once.
    public func fireInput(dueAt: Timestamp) -> AppendInput {
        var input = event
        var metadata = event.metadata?.objectValue ?? JSONObject()
        metadata[Self.scheduleMetadataKey] = .string(name)
        metadata[Self.dueAtMetadataKey] = .string(dueAt.iso8601)
        input.metadata = .object(metadata)
        input.idempotencyKey = Self.idempotencyKey(name: name, dueAt: dueAt)
        return input
    }

    /// `spool-schedule:<name>@<dueAt ISO 8601>`.
    public static func idempotencyKey(name: String, dueAt: Timestamp) -> String {
        "spool-schedule:\(name)@\(dueAt.iso8601)"
    }
}

extension ScheduleSpec: Codable {
    /// Decodes a spec from its payload JSON.
    public init(from decoder: any Decoder) throws {
        let payload = try JSONValue(from: decoder)
        do {
            try self.init(payload: payload)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the spec as its payload JSON.
    public func encode(to encoder: any Encoder) throws {
        try payload.encode(to: encoder)
    }
}
