import SpoolCore

/// How an agent runs: from the latest `agent/configured` in its stream, else server defaults.
public struct AgentConfiguration: Codable, Sendable, Equatable {
    public var provider: String?
    public var model: String?
    public var systemPrompt: String?
    public var tools: [String]
    public var temperature: Double?
    public var maxOutputTokens: Int?
    public var debounceMs: Int
    /// Tools whose calls wait for `tool/approval-granted` (besides tools that always ask).
    public var requireApproval: [String]

    public static let defaultDebounceMs = 200

    public init(
        provider: String? = nil, model: String? = nil, systemPrompt: String? = nil, tools: [String] = [],
        temperature: Double? = nil, maxOutputTokens: Int? = nil, debounceMs: Int = defaultDebounceMs,
        requireApproval: [String] = []
    ) {
        self.provider = provider
        self.model = model
        self.systemPrompt = systemPrompt
        self.tools = tools
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
        self.debounceMs = debounceMs
        self.requireApproval = requireApproval
    }

    /// Reads an `agent/configured` payload; unknown or mistyped fields keep their defaults.
    public init(payload: JSONValue) {
        self.init(
            provider: payload["provider"]?.stringValue, model: payload["model"]?.stringValue,
            systemPrompt: payload["systemPrompt"]?.stringValue,
            tools: payload["tools"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            temperature: payload["temperature"]?.doubleValue,
            maxOutputTokens: payload["maxOutputTokens"]?.intValue.map { Int($0) },
            debounceMs: payload["debounceMs"]?.intValue.map { max(0, Int($0)) } ?? Self.defaultDebounceMs,
            requireApproval: payload["requireApproval"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
