/// Where a turn stands, for whoever starts or resumes its requests and tool calls.
extension AgentState {
    /// Whether the conversation ends with a tool result the model has not answered.
    var lastMessageIsToolResult: Bool { messages.last?.role == "tool" }

    /// Whether the turn waits for a request that nobody started: an input is unanswered, or
    /// every tool call of the response has its result. (A late result of an earlier turn's call
    /// starts no request: the model is told it with the next input.)
    var awaitsRequest: Bool {
        activeRequestId == nil && (hasUnansweredInput || (lastMessageIsToolResult && !toolCallOrder.isEmpty && openToolCalls.isEmpty))
    }

    /// Tool calls of the turn waiting for a person's approval, in the order requested.
    public var callsAwaitingApproval: [String] {
        openToolCalls.filter { toolCalls[$0]?.approval == .pending }
    }

    /// Tool calls of the turn without a result that may run: approved, or needing no approval.
    var runnableOpenToolCalls: [String] {
        openToolCalls.filter { [.notNeeded, .granted].contains(toolCalls[$0]?.approval) }
    }

    /// Whether the turn is unfinished: a request in flight, one awaited, or tool calls to run.
    var turnIsUnfinished: Bool {
        activeRequestId != nil || awaitsRequest || !runnableOpenToolCalls.isEmpty
    }
}
