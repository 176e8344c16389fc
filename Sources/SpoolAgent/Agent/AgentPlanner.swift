import SpoolCore

/// What the agent does after an event, decided from the state after reducing it. Pure.
public enum AgentAction: Sendable, Equatable {
    /// Append `llm/request-cancelled` and stop the request's stream.
    case cancelRequest(requestId: String, reason: String)
    /// Start a request after `debounceMs` unless a newer input arrives meanwhile.
    case startRequest(debounceMs: Int)
    /// Append `tool/call-requested` (and `tool/approval-requested` when it needs approval).
    case announceToolCall(callId: String, needsApproval: Bool)
    /// Run the tool.
    case runTool(callId: String)
    /// Complete a denied call with an error result.
    case completeDenied(callId: String, reason: String)
    /// Stop streaming a request someone cancelled (a person pressing Ctrl-C, say).
    case stopRequest(requestId: String)
}

public enum AgentPlanner {
    public static func actions(
        after event: Event, state: AgentState, requiresApproval: (String) -> Bool
    ) -> [AgentAction] {
        switch event.type {
        case AgentEvents.inputAdded:
            var actions: [AgentAction] = []
            if let active = state.activeRequestId { actions.append(.cancelRequest(requestId: active, reason: "new input")) }
            actions.append(.startRequest(debounceMs: state.configuration.debounceMs))
            return actions
        case AgentEvents.responseCompleted:
            return state.toolCallOrder.flatMap { callId -> [AgentAction] in
                guard let call = state.toolCalls[callId], !call.completed else { return [] }
                let needsApproval = requiresApproval(call.name)
                return needsApproval
                    ? [.announceToolCall(callId: callId, needsApproval: true)]
                    : [.announceToolCall(callId: callId, needsApproval: false), .runTool(callId: callId)]
            }
        case AgentEvents.approvalGranted:
            guard let callId = event.payload["callId"]?.stringValue, state.toolCalls[callId]?.completed == false else { return [] }
            return [.runTool(callId: callId)]
        case AgentEvents.approvalDenied:
            guard let callId = event.payload["callId"]?.stringValue, state.toolCalls[callId]?.completed == false else { return [] }
            return [.completeDenied(callId: callId, reason: event.payload["reason"]?.stringValue ?? "denied by a human")]
        case AgentEvents.requestCancelled:
            guard let requestId = event.payload["requestId"]?.stringValue else { return [] }
            return [.stopRequest(requestId: requestId)]
        case AgentEvents.toolCallCompleted:
            // The turn goes on once every tool call of the response has its result.
            guard !state.toolCallOrder.isEmpty, state.openToolCalls.isEmpty, state.activeRequestId == nil else { return [] }
            return [.startRequest(debounceMs: 0)]
        default:
            return []
        }
    }
}
