/// Renders JSON values as block-style YAML for people to read.
///
/// Strings stay strings when read back: anything a YAML parser could take for
/// another type (`true`, `1.5`, `null`, leading symbols) is double-quoted, and
/// multi-line text becomes a literal block. Characters YAML forbids raw or reads as line
/// breaks (DEL, C1 controls, U+2028, U+FFFE, …) are escaped in a double-quoted string.
extension JSONValue {
    /// The value as a YAML document body (no `---`), ending in a newline.
    public var yamlString: String {
        var output = ""
        switch self {
        case .object(let object) where !object.isEmpty:
            JSONValue.writeYAMLMembers(object, indent: 0, to: &output)
        case .array(let elements) where !elements.isEmpty:
            JSONValue.writeYAMLElements(elements, indent: 0, to: &output)
        default:
            output += JSONValue.yamlInline(self) + "\n"
        }
        return output
    }

    private static func writeYAMLMembers(_ object: JSONObject, indent: Int, to output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for member in object.members {
            output += pad + yamlKey(member.key) + ":"
            writeYAMLNested(member.value, indent: indent, to: &output)
        }
    }

    private static func writeYAMLElements(_ elements: [JSONValue], indent: Int, to output: inout String) {
        let pad = String(repeating: " ", count: indent)
        for element in elements {
            if case .object(let object) = element, !object.isEmpty {
                // `- key: value` with the other members aligned under the first.
                var nested = ""
                writeYAMLMembers(object, indent: indent + 2, to: &nested)
                output += pad + "- " + nested.dropFirst(indent + 2)
                continue
            }
            output += pad + "-"
            writeYAMLNested(element, indent: indent, to: &output)
        }
    }

    /// Writes what follows `key:` or `-`: an inline scalar, or a nested block.
    private static func writeYAMLNested(_ value: JSONValue, indent: Int, to output: inout String) {
        switch value {
        case .object(let object) where !object.isEmpty:
            output += "\n"
            writeYAMLMembers(object, indent: indent + 2, to: &output)
        case .array(let elements) where !elements.isEmpty:
            output += "\n"
            writeYAMLElements(elements, indent: indent + 2, to: &output)
        case .string(let text) where isLiteralBlockCandidate(text):
            let chomping = text.hasSuffix("\n\n") ? "+" : (text.hasSuffix("\n") ? "" : "-")
            output += " |" + chomping + "\n"
            var body = Substring(text)
            while body.hasSuffix("\n") { body = body.dropLast() }
            let pad = String(repeating: " ", count: indent + 2)
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                output += line.isEmpty ? "\n" : pad + line + "\n"
            }
            for _ in 0..<max(0, text.reversed().prefix { $0 == "\n" }.count - 1) { output += "\n" }
        default:
            output += " " + yamlInline(value) + "\n"
        }
    }

    private static func isLiteralBlockCandidate(_ text: String) -> Bool {
        guard text.contains("\n"), let first = text.first, first != " ", first != "\n" else { return false }
        return !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || needsYAMLEscape($0) }
    }

    static func yamlInline(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return yamlScalar(text)
        case .object, .array: return value.jsonString  // only empty ones reach here
        default: return value.jsonString
        }
    }

    private static func yamlKey(_ key: String) -> String { yamlScalar(key) }

    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ".nan", ".inf", "-.inf",
    ]

    private static func yamlScalar(_ text: String) -> String {
        needsQuotes(text) ? yamlDoubleQuoted(text) : text
    }

    /// `text` in double quotes, escaped as JSON is (a YAML double-quoted scalar reads JSON's
    /// escapes), plus YAML's escapes for what it forbids raw or reads as a line break.
    private static func yamlDoubleQuoted(_ text: String) -> String {
        let quoted = JSONValue.string(text).jsonString
        guard quoted.unicodeScalars.contains(where: needsYAMLEscape) else { return quoted }
        var output = String.UnicodeScalarView()
        for scalar in quoted.unicodeScalars {
            guard needsYAMLEscape(scalar) else {
                output.append(scalar)
                continue
            }
            let escape: String
            switch scalar.value {
            case 0x85: escape = "\\N"
            case 0x2028: escape = "\\L"
            case 0x2029: escape = "\\P"
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                escape = "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
            output.append(contentsOf: escape.unicodeScalars)
        }
        return String(output)
    }

    /// Whether a character at or above U+0020 may not stand raw in YAML: DEL, the C1 controls,
    /// U+FFFE and U+FFFF (not printable for YAML 1.1 parsers such as PyYAML and libyaml), and
    /// U+2028/U+2029 (line breaks in YAML 1.1, NEL U+0085 too).
    private static func needsYAMLEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7F...0x9F, 0x2028, 0x2029, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

    private static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        if reservedWords.contains(text.lowercased()) { return true }
        if first == " " || last == " " || last == ":" { return true }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        if first.properties.numericType != nil || first == "." || first == "+" { return true }
        if text.contains(": ") || text.contains(" #") { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0xFEFF || needsYAMLEscape($0) }
    }
}
