/// One turn of a conversation, in the provider-neutral form the agent builds
/// from its stream; each provider translates it to its wire format.
public enum LLMMessage: Sendable, Equatable {
    /// What the user said.
    case user(String)
    /// An instruction from the operator, with system authority.
    case system(String)
    /// An instruction from the developer (OpenAI's `developer` role; a system message elsewhere).
    case developer(String)
    /// What the model answered: its text and the tools it asked to call.
    case assistant(content: String, toolCalls: [ToolCall] = [])
    /// The output of a tool the model called.
    case toolResult(ToolResult)
}
