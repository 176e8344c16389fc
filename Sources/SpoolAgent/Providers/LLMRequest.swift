/// What the agent asks a model: the conversation so far and the tools it may call.
public struct LLMRequest: Sendable, Equatable {
    /// The provider's model name, such as `gpt-4.1-mini` or `claude-sonnet-4-5`.
    public var model: String
    /// Instructions sent ahead of the conversation (`system`/`instructions`).
    public var systemPrompt: String?
    public var messages: [LLMMessage]
    public var tools: [ToolDefinition]
    /// Sampling temperature; the provider's default when `nil`.
    public var temperature: Double?
    /// The most tokens to generate; the provider's default when `nil`.
    public var maxOutputTokens: Int?

    public init(
        model: String, systemPrompt: String? = nil, messages: [LLMMessage], tools: [ToolDefinition] = [],
        temperature: Double? = nil, maxOutputTokens: Int? = nil
    ) {
        self.model = model
        self.systemPrompt = systemPrompt
        self.messages = messages
        self.tools = tools
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
    }
}
