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
private enum Field: UInt8, CaseIterable {
    case type, payload, metadata, idempotencyKey, expectedOffset

    /// The field's bit in a set of fields seen.
    var bit: UInt8 { 1 << rawValue }

    /// Each field's name as it appears between the quotes.
    static let names: [(field: Field, name: [UInt8])] = allCases.map { field in
        let name: String
        switch field {
        case .type: name = "type"
        case .payload: name = "payload"
        case .metadata: name = "metadata"
        case .idempotencyKey: name = "idempotencyKey"
        case .expectedOffset: name = "expectedOffset"
        }
        return (field, Array(name.utf8))
    }
}

extension JSONParser {
    /// One event object of an append body, or `nil` if it is not of the usual shape.
    /// `depth` is the object's nesting depth in the body (1 alone, 2 in a batch), so
    /// payloads nest as deep as the full parser would let them.
    mutating func appendInput(depth: Int) throws -> AppendInput? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var seen: UInt8 = 0
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
            guard let field = fieldName(), seen & field.bit == 0 else { return nil }
            seen |= field.bit
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
                text.reserveCapacity(min(bytes.count - index, 512))
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

    /// The field named by the quoted key at `index`, read in place; `nil` for any other
    /// key, or one with escapes (the full parser then reads the body and words the error).
    private mutating func fieldName() -> Field? {
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        let key = UnsafeBufferPointer(rebasing: bytes[start..<end])
        guard let match = Field.names.first(where: { $0.name.elementsEqual(key) }) else { return nil }
        index = end + 1
        return match.field
    }
}
