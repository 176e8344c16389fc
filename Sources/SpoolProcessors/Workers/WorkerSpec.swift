import SpoolCore
import SpoolJS

/// Limits that keep a dynamic worker from hurting the server.
public struct WorkerLimits: Sendable {
    public var maximumSourceBytes = 256 * 1024
    /// The largest state (as JSON) a reducer may produce.
    public var maximumStateBytes = 1024 * 1024
    /// The largest payload a worker may append.
    public var maximumEventBytes = 256 * 1024
    public var maximumFetchBodyBytes = 1024 * 1024
    /// CPU time per `reduce` call.
    public var reduceTime: Duration = .milliseconds(100)
    /// CPU time per `afterAppend` call, unless the worker sets `timeoutMs`.
    public var afterAppendTime: Duration = .seconds(5)
    /// Memory the worker's JavaScript may hold: its sandbox's heap, array buffers and large strings
    /// included (see `JSSandbox.init(memoryLimit:)`). A worker over it is stopped and its sandbox dropped.
    public var maximumMemoryBytes = JSSandbox.defaultMemoryLimit
    /// How long one `fetch` may take.
    public var fetchTimeout: Duration = .seconds(30)
    /// A worker failing this many times in a row is stopped.
    public var maximumConsecutiveFailures = 5

    public init() {}
}

/// One version of a worker, as configured by `spool/worker-configured`.
public struct WorkerSpec: Codable, Sendable, Equatable {
    public var name: String
    public var source: String
    /// The pattern as given, relative to `stream` (nil: the stream itself).
    public var streams: String?
    public var allowHosts: [String]
    public var timeoutMs: Int?
    /// The stream the worker was configured on: its own stream.
    public var stream: StreamPath
    /// Offset and position of the configuring event: the source's version.
    public var sourceOffset: Int
    public var sourcePosition: Int
    /// The feed position this version reacts after: its configuring event's, or, for a version
    /// restored after a newer one failed, the failed configuration's (`startsAfter`), so the
    /// events in between are not left to nobody.
    public var startPosition: Int

    public static let configuredType = "spool/worker-configured"
    public static let removedType = "spool/worker-removed"
    public static let failedType = "spool/worker-failed"
    public static let stoppedType = "spool/worker-stopped"

    enum CodingKeys: String, CodingKey {
        case name, source, streams, allowHosts, timeoutMs, stream, sourceOffset, sourcePosition, startPosition
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        source = try container.decode(String.self, forKey: .source)
        streams = try container.decodeIfPresent(String.self, forKey: .streams)
        allowHosts = try container.decode([String].self, forKey: .allowHosts)
        timeoutMs = try container.decodeIfPresent(Int.self, forKey: .timeoutMs)
        stream = try StreamPath(try container.decode(String.self, forKey: .stream))
        sourceOffset = try container.decode(Int.self, forKey: .sourceOffset)
        sourcePosition = try container.decode(Int.self, forKey: .sourcePosition)
        // Absent from snapshots taken before versions were restored.
        startPosition = try container.decodeIfPresent(Int.self, forKey: .startPosition) ?? sourcePosition
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(streams, forKey: .streams)
        try container.encode(allowHosts, forKey: .allowHosts)
        try container.encodeIfPresent(timeoutMs, forKey: .timeoutMs)
        try container.encode(stream.rawValue, forKey: .stream)
        try container.encode(sourceOffset, forKey: .sourceOffset)
        try container.encode(sourcePosition, forKey: .sourcePosition)
        try container.encode(startPosition, forKey: .startPosition)
    }

    /// The `spool/worker-configured` payload that configures this version again after the
    /// configuration `failed` (a newer one) could not start: `restores` names this version's
    /// offset, and `startsAfter` the failed configuration's position, from which it reacts.
    func restoringConfiguration(after failed: Event) -> JSONValue {
        var payload: JSONObject = [
            "name": .string(name), "source": .string(source), "allowHosts": .array(allowHosts.map { .string($0) }),
            "restores": .int(Int64(sourceOffset)), "startsAfter": .int(Int64(failed.position)),
        ]
        if let streams { payload["streams"] = .string(streams) }
        if let timeoutMs { payload["timeoutMs"] = .int(Int64(timeoutMs)) }
        return .object(payload)
    }

    /// The processor name: `worker:NAME`.
    public var processorName: String { "worker:" + name }

    /// Who the worker is: its name on the stream that configured it. Streams
    /// name their workers independently, so two agents may each run a `counter`.
    public var identity: String { Self.identity(stream: stream, name: name) }

    /// The identity of the worker `name` configured on `stream`.
    static func identity(stream: StreamPath, name: String) -> String { stream.rawValue + "#" + name }

    /// Names this version's checkpoint and snapshots: `worker:NAME@POSITION`.
    var storageName: String { "\(processorName)@\(sourcePosition)" }

    /// Reads a `spool/worker-configured` event. - Throws: `invalid_event` naming what is wrong.
    public init(event: Event, limits: WorkerLimits) throws(SpoolError) {
        guard let payload = event.payload.objectValue else { throw SpoolError(.invalidEvent, "payload must be an object") }
        guard let name = payload["name"]?.stringValue else { throw SpoolError(.invalidEvent, "name is required (a string)") }
        try Self.validate(name: name)
        guard let source = payload["source"]?.stringValue else { throw SpoolError(.invalidEvent, "source is required (JavaScript text)") }
        guard source.utf8.count <= limits.maximumSourceBytes else {
            throw SpoolError(.invalidEvent, "source is \(source.utf8.count) bytes; the limit is \(limits.maximumSourceBytes)")
        }
        self.name = name
        self.source = source
        streams = payload["streams"]?.stringValue
        allowHosts = (payload["allowHosts"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() }
        if let timeout = payload["timeoutMs"] {
            guard let value = timeout.intValue, value > 0, value <= 600_000 else {
                throw SpoolError(.invalidEvent, "timeoutMs must be an integer from 1 to 600000")
            }
            timeoutMs = Int(value)
        }
        stream = event.streamPath
        sourceOffset = event.offset
        sourcePosition = event.position
        startPosition = event.position
        if let startsAfter = payload["startsAfter"] {
            guard let value = startsAfter.intValue, value >= 0, value <= event.position else {
                throw SpoolError(.invalidEvent, "startsAfter must be a feed position no later than the configuration's own")
            }
            startPosition = Int(value)
        }
        _ = try pattern()
    }

    /// Names are like path segments: 1–128 of `A-Z a-z 0-9 . _ ~ -`.
    static func validate(name: String) throws(SpoolError) {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_~".unicodeScalars.contains(scalar))
        }
        guard !name.isEmpty, name.count <= 128, allowed else {
            throw SpoolError(.invalidEvent, "name must be 1-128 characters of A-Z a-z 0-9 . _ ~ -")
        }
    }

    /// The streams the worker follows: `streams` below its own stream (`*`, `**`, `sub/**`), or its own stream.
    public func pattern() throws(SpoolError) -> StreamPattern {
        guard let streams, !streams.isEmpty else { return try StreamPattern(stream.rawValue) }
        let relative = streams.hasPrefix("/") ? String(streams.dropFirst()) : streams
        let base = stream.rawValue == "/" ? "" : stream.rawValue
        return try StreamPattern(base + "/" + relative)
    }

    /// CPU time for one `afterAppend`.
    func afterAppendTime(limits: WorkerLimits) -> Duration {
        timeoutMs.map { .milliseconds($0) } ?? limits.afterAppendTime
    }
}
