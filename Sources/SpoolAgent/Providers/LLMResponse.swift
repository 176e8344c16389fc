import SpoolCore

/// A complete answer: its text, the tool calls it asks for, why it stopped, and its cost.
public struct LLMResponse: Sendable, Equatable {
    /// The whole text: the concatenation of every `.textDelta`.
    public var content: String
    /// Tool calls in the order the model made them; run them all before the next request.
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason
    public var usage: TokenUsage

    public init(content: String, toolCalls: [ToolCall] = [], finishReason: FinishReason = .stop, usage: TokenUsage = TokenUsage()) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
    }

    /// `{content, toolCalls, finishReason, usage}`, the payload shape of `llm/response-completed` (without `requestId`).
    public var jsonValue: JSONValue {
        [
            "content": .string(content), "toolCalls": .array(toolCalls.map(\.jsonValue)),
            "finishReason": .string(finishReason.rawValue), "usage": usage.jsonValue,
        ]
    }
}
