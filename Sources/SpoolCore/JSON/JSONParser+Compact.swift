extension JSONParser {
    /// Parses one value and appends its compact text to `output`, exactly as
    /// `JSONValue.parse(…).write(to:)` would, without building the value: strings
    /// without escapes and nested containers are copied as they come.
    ///
    /// - Returns: false when the value has an object with a repeated key, whose
    ///   compact text keeps only the last value; the caller parses it in full then.
    mutating func compactValue(depth: Int, into output: inout [UInt8]) throws(JSONParseError) -> Bool {
        guard index < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try compactObject(depth: depth + 1, into: &output)
        case UInt8(ascii: "["): return try compactArray(depth: depth + 1, into: &output)
        case UInt8(ascii: "\""): try compactString(into: &output)
        default: try parseValue(depth: depth).write(to: &output)  // a number or a literal
        }
        return true
    }

    private mutating func compactObject(depth: Int, into output: inout [UInt8]) throws(JSONParseError) -> Bool {
        guard depth <= JSONValue.maximumDepth else { throw error("JSON nested too deeply") }
        index += 1
        output.append(UInt8(ascii: "{"))
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            output.append(UInt8(ascii: "}"))
            return true
        }
        var keys: [String] = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
            let key = try parseString()
            if keys.contains(key) { return false }
            keys.append(key)
            if keys.count > 1 { output.append(UInt8(ascii: ",")) }
            JSONValue.writeString(key, to: &output)
            output.append(UInt8(ascii: ":"))
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            index += 1
            skipWhitespace()
            guard try compactValue(depth: depth, into: &output) else { return false }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON in object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in object") }
            index += 1
            output.append(UInt8(ascii: "}"))
            return true
        }
    }

    private mutating func compactArray(depth: Int, into output: inout [UInt8]) throws(JSONParseError) -> Bool {
        guard depth <= JSONValue.maximumDepth else { throw error("JSON nested too deeply") }
        index += 1
        output.append(UInt8(ascii: "["))
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            output.append(UInt8(ascii: "]"))
            return true
        }
        var first = true
        while true {
            skipWhitespace()
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            guard try compactValue(depth: depth, into: &output) else { return false }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON in array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in array") }
            index += 1
            output.append(UInt8(ascii: "]"))
            return true
        }
    }

    /// A string without escapes is its own compact text once its UTF-8 is valid;
    /// one with escapes is decoded and written again.
    private mutating func compactString(into output: inout [UInt8]) throws(JSONParseError) {
        let start = index
        var end = index + 1
        var isASCII = true
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            if bytes[end] >= 0x80 { isASCII = false }
            end += 1
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<min(end, bytes.count)])
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\""), isASCII || String(validating: slice, as: UTF8.self) != nil else {
            // Escapes, control characters, bad UTF-8 or no end: the full parser decides (and reports).
            JSONValue.writeString(try parseString(), to: &output)
            return
        }
        output.append(contentsOf: bytes[start...end])
        index = end + 1
    }
}
