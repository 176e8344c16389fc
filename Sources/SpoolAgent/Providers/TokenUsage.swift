import SpoolCore

/// Tokens a request consumed, as the provider counted them.
public struct TokenUsage: Sendable, Equatable {
    /// Prompt tokens, including cached ones.
    public var inputTokens: Int
    /// Generated tokens.
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// `{inputTokens, outputTokens}`
    public var jsonValue: JSONValue {
        ["inputTokens": .int(Int64(inputTokens)), "outputTokens": .int(Int64(outputTokens))]
    }
}
