/// The event types of the agent loop, as named in the README's "Agents" section.
public enum AgentEvents {
    public static let configured = "agent/configured"
    public static let inputAdded = "agent/input-added"
    public static let requestStarted = "llm/request-started"
    public static let outputDelta = "llm/output-delta"
    public static let responseCompleted = "llm/response-completed"
    public static let requestFailed = "llm/request-failed"
    public static let requestCancelled = "llm/request-cancelled"
    public static let toolCallRequested = "tool/call-requested"
    public static let approvalRequested = "tool/approval-requested"
    public static let approvalGranted = "tool/approval-granted"
    public static let approvalDenied = "tool/approval-denied"
    public static let toolCallCompleted = "tool/call-completed"

    /// Whether `type` is one of the agent loop's (`agent/`, `llm/`, `tool/`).
    public static func isAgentType(_ type: String) -> Bool {
        type.hasPrefix("agent/") || type.hasPrefix("llm/") || type.hasPrefix("tool/")
    }
}
