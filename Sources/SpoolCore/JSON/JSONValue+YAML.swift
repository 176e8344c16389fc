/// Renders JSON values as block-style YAML for people to read.
///
/// Strings stay strings when read back: anything a YAML parser could take for
/// another type (`true`, `1.5`, `null`, leading symbols) is double-quoted, and
/// multi-line text becomes a literal block.
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
        return !text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }
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
        needsQuotes(text) ? JSONValue.string(text).jsonString : text
    }

    private static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        if reservedWords.contains(text.lowercased()) { return true }
        if first == " " || last == " " || last == ":" { return true }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        if first.properties.numericType != nil || first == "." || first == "+" { return true }
        if text.contains(": ") || text.contains(" #") { return true }
        return text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFEFF }
    }
}
