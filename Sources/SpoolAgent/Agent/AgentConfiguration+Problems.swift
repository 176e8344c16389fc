import SpoolCore

extension AgentConfiguration {
    static let fieldNames = ["provider", "model", "systemPrompt", "tools", "temperature", "maxOutputTokens", "debounceMs", "requireApproval"]

    /// What is wrong with an `agent/configured` payload, in words: fields of the wrong type (which
    /// ``init(payload:)`` leaves at their defaults), unknown fields, and tools no one provides.
    /// Empty when all is well.
    public static func problems(in payload: JSONValue, knownTools: Set<String>) -> [String] {
        guard let object = payload.objectValue else { return ["the payload must be an object"] }
        var problems: [String] = []
        for key in object.keys where !fieldNames.contains(key) {
            problems.append("unknown field '\(key)' (known: \(fieldNames.joined(separator: ", ")))")
        }
        func check(_ key: String, _ what: String, _ isValid: (JSONValue) -> Bool) {
            if let value = object[key], value != .null, !isValid(value) { problems.append("'\(key)' must be \(what)") }
        }
        for key in ["provider", "model", "systemPrompt"] { check(key, "a string") { $0.stringValue != nil } }
        check("temperature", "a number") { $0.doubleValue != nil }
        check("maxOutputTokens", "a positive integer") { ($0.intValue ?? 0) > 0 }
        check("debounceMs", "an integer of 0 or more") { ($0.intValue ?? -1) >= 0 }
        for key in ["tools", "requireApproval"] {
            check(key, "an array of tool names") { value in value.arrayValue?.allSatisfy { $0.stringValue != nil } == true }
        }
        let unknown = (object["tools"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !knownTools.contains($0) }
        if !unknown.isEmpty {
            problems.append("no tool is called \(unknown.joined(separator: ", ")) (tools: \(knownTools.sorted().joined(separator: ", ")))")
        }
        return problems
    }
}
