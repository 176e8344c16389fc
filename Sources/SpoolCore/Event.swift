/// An event as stored: an append input plus the place and time the store gave it.
///
/// The payload and metadata are kept as their canonical JSON text, so serving
/// events never re-encodes them; `payload` and `metadata` parse on access.
public struct Event: Sendable, Equatable {
    public var streamPath: StreamPath
    /// Per-stream, gapless, from 1.
    public var offset: Int
    /// Store-wide, strictly increasing in commit order.
    public var position: Int
    public var type: String
    /// The payload object as compact JSON text.
    public var payloadJSON: String
    /// The metadata object as compact JSON text, if any.
    public var metadataJSON: String?
    public var idempotencyKey: String?
    public var createdAt: Timestamp

    public init(
        streamPath: StreamPath, offset: Int, position: Int, type: String, payloadJSON: String,
        metadataJSON: String? = nil, idempotencyKey: String? = nil, createdAt: Timestamp
    ) {
        self.streamPath = streamPath
        self.offset = offset
        self.position = position
        self.type = type
        self.payloadJSON = payloadJSON
        self.metadataJSON = metadataJSON
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
    }

    /// The payload object (parsed from `payloadJSON` on each access).
    public var payload: JSONValue {
        (try? JSONValue.parse(payloadJSON)) ?? .emptyObject
    }

    /// The metadata object, if any (parsed on each access).
    public var metadata: JSONValue? {
        metadataJSON.flatMap { try? JSONValue.parse($0) }
    }
}
