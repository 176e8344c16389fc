/// Colours block YAML for a terminal: keys, strings, numbers and document markers. Pure.
public enum YAMLColorizer {
    static let reset = "\u{1B}[0m"
    static let key = "\u{1B}[36m"
    static let string = "\u{1B}[32m"
    static let number = "\u{1B}[33m"
    static let marker = "\u{1B}[2m"

    public static func colorize(_ yaml: String) -> String {
        var output = ""
        output.reserveCapacity(yaml.utf8.count + yaml.utf8.count / 4)
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            output += colorizeLine(line)
            output += "\n"
        }
        output.removeLast()
        return output
    }

    static func colorizeLine(_ line: Substring) -> String {
        if line == "---" { return marker + line + reset }
        let indent = line.prefix { $0 == " " || $0 == "-" }
        let rest = line.dropFirst(indent.count)
        if let colon = rest.range(of: ": ") ?? (rest.hasSuffix(":") ? rest.index(before: rest.endIndex)..<rest.endIndex : nil),
            !rest.hasPrefix("\"") || rest[..<colon.lowerBound].hasSuffix("\"")
        {
            let keyText = rest[..<colon.lowerBound]
            let value = rest[colon.upperBound...]
            return indent + key + keyText + reset + ":" + (value.isEmpty ? "" : " " + colorizeValue(value))
        }
        return indent + colorizeValue(rest)
    }

    static func colorizeValue(_ value: Substring) -> String {
        if value.isEmpty { return "" }
        if value == "true" || value == "false" || value == "null" || Double(value) != nil {
            return number + value + reset
        }
        if value.hasPrefix("|") { return marker + value + reset }
        return string + value + reset
    }
}
