/// What a client sends to append one event.
public struct AppendInput: Sendable, Equatable {
    public static let maximumTypeLength = 256
    public static let maximumIdempotencyKeyLength = 256

    public var type: String
    /// Always a JSON object (parsed from `payloadJSON` on each access).
    public var payload: JSONValue {
        get { (try? JSONValue.parse(payloadJSON)) ?? .emptyObject }
        set { payloadJSON = newValue.jsonString }
    }
    /// A JSON object, if given (parsed from `metadataJSON` on each access).
    public var metadata: JSONValue? {
        get { metadataJSON.flatMap { try? JSONValue.parse($0) } }
        set { metadataJSON = newValue?.jsonString }
    }
    /// `payload` as the compact JSON text that is stored, made once where the input
    /// is made (the request's task) rather than in the store's writer, which every
    /// append waits for.
    public private(set) var payloadJSON: String
    /// `metadata` as compact JSON text, if any.
    public private(set) var metadataJSON: String?
    public var idempotencyKey: String?
    /// The head offset the stream must have before this append (0 = empty stream).
    public var expectedOffset: Int?

    /// Creates a validated input.
    /// - Throws: `SpoolError` `invalid_event` when a field breaks the contract.
    public init(
        type: String, payload: JSONValue = .emptyObject, metadata: JSONValue? = nil,
        idempotencyKey: String? = nil, expectedOffset: Int? = nil
    ) throws(SpoolError) {
        try Self.validate(type: type)
        guard case .object = payload else {
            throw SpoolError(.invalidEvent, "'payload' must be a JSON object, not \(payload.typeName)")
        }
        if let metadata, case .object = metadata {} else if let metadata {
            throw SpoolError(.invalidEvent, "'metadata' must be a JSON object, not \(metadata.typeName)")
        }
        try self.init(
            validatedType: type, payloadJSON: payload.jsonString, metadataJSON: metadata?.jsonString,
            idempotencyKey: idempotencyKey, expectedOffset: expectedOffset)
    }

    /// Creates a validated input from the compact JSON text of its payload and metadata
    /// objects, exactly as `JSONValue.write(to:)` makes it (the server's body parser does,
    /// without building the values).
    /// - Throws: `SpoolError` `invalid_event` when a field breaks the contract.
    public init(
        type: String, payloadJSON: String, metadataJSON: String?, idempotencyKey: String? = nil, expectedOffset: Int? = nil
    ) throws(SpoolError) {
        try Self.validate(type: type)
        try self.init(
            validatedType: type, payloadJSON: payloadJSON, metadataJSON: metadataJSON, idempotencyKey: idempotencyKey,
            expectedOffset: expectedOffset)
    }

    /// The checks and fields both public initializers share, once the type is checked.
    private init(
        validatedType type: String, payloadJSON: String, metadataJSON: String?, idempotencyKey: String?, expectedOffset: Int?
    ) throws(SpoolError) {
        if let idempotencyKey {
            guard !idempotencyKey.isEmpty, Self.fits(idempotencyKey, Self.maximumIdempotencyKeyLength) else {
                throw SpoolError(.invalidEvent, "'idempotencyKey' must be 1–\(Self.maximumIdempotencyKeyLength) characters")
            }
            // PostgreSQL refuses NUL in text, and SQLite's readers would cut the key at it.
            guard !Self.hasControlCharacters(idempotencyKey) else {
                throw SpoolError(.invalidEvent, "'idempotencyKey' must not contain control characters")
            }
        }
        if let expectedOffset, expectedOffset < 0 {
            throw SpoolError(.invalidEvent, "'expectedOffset' must not be negative")
        }
        self.type = type
        self.payloadJSON = payloadJSON
        self.metadataJSON = metadataJSON
        self.idempotencyKey = idempotencyKey
        self.expectedOffset = expectedOffset
    }

    /// Whether `text` has at most `limit` characters, counted as Unicode code points (as
    /// JSON and other languages count them; Swift's grapheme clusters would let one character
    /// carry any number of combining marks); most text is ASCII and settled by its byte count alone.
    public static func fits(_ text: String, _ limit: Int) -> Bool {
        text.utf8.count <= limit || text.unicodeScalars.count <= limit
    }

    /// The longest start of `text` that `fits` in `limit` code points.
    public static func prefix(_ text: String, fitting limit: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
    }

    /// Whether `text` has a control character (U+0000–U+001F, U+007F–U+009F).
    static func hasControlCharacters(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return false }
        return text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Checks an event type: 1–256 printable characters, no spaces.
    public static func validate(type: String) throws(SpoolError) {
        guard !type.isEmpty, fits(type, maximumTypeLength) else {
            throw SpoolError(.invalidEvent, "'type' must be 1–\(maximumTypeLength) characters")
        }
        // Printable ASCII without spaces is the common case and needs no Unicode tables.
        if type.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return }
        for scalar in type.unicodeScalars where scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F
            || scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
        {
            throw SpoolError(.invalidEvent, "'type' must not contain spaces or control characters")
        }
    }

    private static let knownFields: Set<String> = ["type", "payload", "metadata", "idempotencyKey", "expectedOffset"]

    /// Reads an input from the JSON a client sent; unknown fields are refused.
    public init(json: JSONValue) throws(SpoolError) {
        guard case .object(let object) = json else {
            throw SpoolError(.invalidEvent, "an event must be a JSON object, not \(json.typeName)")
        }
        for key in object.keys where !Self.knownFields.contains(key) {
            throw SpoolError(.invalidEvent, "unknown field '\(key)'; allowed: type, payload, metadata, idempotencyKey, expectedOffset")
        }
        guard let typeValue = object["type"] else { throw SpoolError(.invalidEvent, "missing required field 'type'") }
        guard case .string(let type) = typeValue else {
            throw SpoolError(.invalidEvent, "'type' must be a string, not \(typeValue.typeName)")
        }
        // `JSONValue` is ExpressibleByNilLiteral, so spell out that null means absent.
        let payload = object["payload"].flatMap { $0 == .null ? JSONValue?.none : $0 } ?? .emptyObject
        let metadata = object["metadata"].flatMap { $0 == .null ? JSONValue?.none : $0 }
        var idempotencyKey: String?
        if let keyValue = object["idempotencyKey"], keyValue != .null {
            guard case .string(let key) = keyValue else {
                throw SpoolError(.invalidEvent, "'idempotencyKey' must be a string, not \(keyValue.typeName)")
            }
            idempotencyKey = key
        }
        var expectedOffset: Int?
        if let offsetValue = object["expectedOffset"], offsetValue != .null {
            guard case .int(let offset) = offsetValue else {
                throw SpoolError(.invalidEvent, "'expectedOffset' must be an integer, not \(offsetValue.typeName)")
            }
            expectedOffset = Int(offset)
        }
        try self.init(
            type: type, payload: payload, metadata: metadata, idempotencyKey: idempotencyKey,
            expectedOffset: expectedOffset
        )
    }

    /// The input as the JSON a client sends.
    public var jsonValue: JSONValue {
        var object: JSONObject = ["type": .string(type), "payload": payload]
        if let metadata { object["metadata"] = metadata }
        if let idempotencyKey { object["idempotencyKey"] = .string(idempotencyKey) }
        if let expectedOffset { object["expectedOffset"] = .int(Int64(expectedOffset)) }
        return .object(object)
    }
}
