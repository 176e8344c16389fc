/// The output of one tool call, sent back to the model.
public struct ToolResult: Sendable, Equatable {
    /// The ``ToolCall/id`` this answers.
    public var callId: String
    /// The tool's name.
    public var name: String
    /// What the tool returned, as text (often JSON).
    public var output: String
    /// Whether the tool failed; `output` then says why.
    public var isError: Bool

    public init(callId: String, name: String, output: String, isError: Bool = false) {
        self.callId = callId
        self.name = name
        self.output = output
        self.isError = isError
    }
}
