/// Why the model stopped, normalised across providers.
///
/// The well-known reasons have constants; any other reason a provider gives
/// (Anthropic's `pause_turn`, for example) is kept as its raw string.
public struct FinishReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The model finished its answer (OpenAI `stop`, Anthropic `end_turn`/`stop_sequence`).
    public static let stop = FinishReason(rawValue: "stop")
    /// The model wants its tool calls run before it continues.
    public static let toolCalls = FinishReason(rawValue: "tool_calls")
    /// The output token limit cut the answer short.
    public static let length = FinishReason(rawValue: "length")
    /// The provider withheld or cut the answer (content filter, refusal).
    public static let contentFilter = FinishReason(rawValue: "content_filter")
}
