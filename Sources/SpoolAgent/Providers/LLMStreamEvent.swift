/// One step of a streamed answer.
public enum LLMStreamEvent: Sendable, Equatable {
    /// The next piece of the answer's text.
    case textDelta(String)
    /// The model began a tool call; its arguments arrive with `.completed`.
    case toolCallStarted(id: String, name: String)
    /// The answer is complete: the last event of every successful stream.
    case completed(LLMResponse)
}
