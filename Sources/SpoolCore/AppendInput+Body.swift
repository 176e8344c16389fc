extension AppendInput {
    /// Reads the inputs of an append body (one event object, or an array of them) in one
    /// pass, without building the JSON values: payloads and metadata go straight to their
    /// compact text. Only well-formed bodies of the usual shape are read here; for anything
    /// else (malformed JSON, an unknown or repeated field, a field of the wrong kind, an
    /// invalid value) it returns `nil`, and `init(json:)` on the parsed body decides and
    /// words the error.
    public static func inputs(fromBody bytes: UnsafeBufferPointer<UInt8>) -> (inputs: [AppendInput], isBatch: Bool)? {
        var parser = JSONParser(bytes: bytes)
        do {
            parser.skipWhitespace()
            guard parser.index < bytes.count else { return nil }
            var inputs: [AppendInput] = []
            let isBatch = bytes[parser.index] == UInt8(ascii: "[")
            if isBatch {
                parser.index += 1
                while true {
                    parser.skipWhitespace()
                    guard let input = try parser.appendInput(depth: 2) else { return nil }
                    inputs.append(input)
                    parser.skipWhitespace()
                    guard parser.index < bytes.count else { return nil }
                    parser.index += 1
                    if bytes[parser.index - 1] == UInt8(ascii: "]") { break }
                    guard bytes[parser.index - 1] == UInt8(ascii: ",") else { return nil }
                }
            } else {
                guard let input = try parser.appendInput(depth: 1) else { return nil }
                inputs.append(input)
            }
            parser.skipWhitespace()
            guard parser.index == bytes.count, !inputs.isEmpty else { return nil }
            return (inputs, isBatch)
        } catch {
            return nil
        }
    }
}

/// The fields an event object of an append body may have.
private enum Field: String {
    case type, payload, metadata, idempotencyKey, expectedOffset
}

extension JSONParser {
    /// One event object of an append body, or `nil` if it is not of the usual shape.
    /// `depth` is the object's nesting depth in the body (1 alone, 2 in a batch), so
    /// payloads nest as deep as the full parser would let them.
    mutating func appendInput(depth: Int) throws -> AppendInput? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var seen: Set<Field> = []
        var type: String?
        var payloadJSON = "{}"
        var metadataJSON: String?
        var idempotencyKey: String?
        var expectedOffset: Int?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return nil }  // no type
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            guard let field = Field(rawValue: try parseString()), seen.insert(field).inserted else { return nil }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard index < bytes.count else { return nil }
            let isNull = bytes[index] == UInt8(ascii: "n")
            switch field {
            case .type:
                guard case .string(let value) = try parseValue(depth: 1) else { return nil }
                type = value
            case .payload, .metadata:
                if isNull {
                    try expectLiteral("null")
                    break
                }
                guard bytes[index] == UInt8(ascii: "{") else { return nil }
                var text: [UInt8] = []
                text.reserveCapacity(min(bytes.count - index, 4096))
                guard try compactValue(depth: depth, into: &text) else { return nil }
                if field == .payload { payloadJSON = String(decoding: text, as: UTF8.self) } else { metadataJSON = String(decoding: text, as: UTF8.self) }
            case .idempotencyKey:
                switch try parseValue(depth: 1) {
                case .null: break
                case .string(let value): idempotencyKey = value
                default: return nil
                }
            case .expectedOffset:
                switch try parseValue(depth: 1) {
                case .null: break
                case .int(let value): expectedOffset = Int(value)
                default: return nil
                }
            }
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            guard let type else { return nil }
            return try? AppendInput(
                type: type, payloadJSON: payloadJSON, metadataJSON: metadataJSON, idempotencyKey: idempotencyKey,
                expectedOffset: expectedOffset)
        }
    }
}
