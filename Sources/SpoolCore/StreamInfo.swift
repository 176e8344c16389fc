/// A summary of one stream, as listed by `GET /streams`.
public struct StreamInfo: Sendable, Equatable {
    public var path: StreamPath
    public var headOffset: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Whether appends are refused until `spool/stream-resumed` (see `StreamPause`).
    public var paused: Bool

    public init(path: StreamPath, headOffset: Int, createdAt: Timestamp, updatedAt: Timestamp, paused: Bool = false) {
        self.path = path
        self.headOffset = headOffset
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.paused = paused
    }

    public var jsonValue: JSONValue {
        [
            "path": .string(path.rawValue), "headOffset": .int(Int64(headOffset)),
            "createdAt": .string(createdAt.iso8601), "updatedAt": .string(updatedAt.iso8601), "paused": .bool(paused),
        ]
    }

    public init(json: JSONValue) throws(SpoolError) {
        guard let path = json["path"]?.stringValue, let head = json["headOffset"]?.intValue,
            let created = json["createdAt"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
            let updated = json["updatedAt"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else { throw SpoolError(.invalidRequest, "malformed stream listing entry") }
        self.init(
            path: try StreamPath(path), headOffset: Int(head), createdAt: created, updatedAt: updated,
            paused: json["paused"]?.boolValue ?? false)
    }
}
