import SpoolCore

/// Folds agent events into `AgentState`. Pure.
public enum AgentReducer {
    public static func reduce(into state: inout AgentState, event: Event) {
        // The agent follows every stream: most events are not its own, and parsing their payload would be wasted.
        guard AgentEvents.isAgentType(event.type) else { return }
        let payload = event.payload
        switch event.type {
        case AgentEvents.configured:
            state.configuration = AgentConfiguration(payload: payload)
        case AgentEvents.inputAdded:
            let role = payload["role"]?.stringValue ?? "user"
            var content = payload["content"]?.stringValue ?? payload["content"].map(\.jsonString) ?? ""
            if let from = payload["from"]?.stringValue, role == "user" { content = "[from \(from)] " + content }
            state.messages.append(.init(role: ["system", "developer"].contains(role) ? role : "user", content: content))
            state.lastInputOffset = event.offset
        case AgentEvents.requestStarted:
            state.activeRequestId = payload["requestId"]?.stringValue
            state.requestCount += 1
            state.activeRequestInputOffset = payload["inputOffset"]?.intValue.map { Int($0) } ?? state.lastInputOffset
        case AgentEvents.responseCompleted:
            guard let requestId = payload["requestId"]?.stringValue, requestId == state.activeRequestId else { return }
            state.activeRequestId = nil
            state.answeredInputOffset = max(state.answeredInputOffset, state.activeRequestInputOffset)
            let calls = (payload["toolCalls"]?.arrayValue ?? []).compactMap(ToolCall.init(json:))
            state.messages.append(
                .init(
                    role: "assistant", content: payload["content"]?.stringValue ?? "",
                    toolCalls: calls.isEmpty ? nil : calls.map { .init(id: $0.id, name: $0.name, argumentsJSON: $0.arguments.jsonString) }))
            state.toolCalls = [:]
            state.toolCallOrder = calls.map(\.id)
            for call in calls {
                state.toolCalls[call.id] = .init(
                    name: call.name, argumentsJSON: call.arguments.jsonString, requestId: requestId, approval: .notNeeded,
                    completed: false)
            }
            if calls.isEmpty {
                state.lastAnswer = payload["content"]?.stringValue ?? ""
                state.lastAnswerOffset = event.offset
            }
        case AgentEvents.requestFailed, AgentEvents.requestCancelled:
            if payload["requestId"]?.stringValue == state.activeRequestId { state.activeRequestId = nil }
        case AgentEvents.approvalRequested:
            setApproval(.pending, payload: payload, in: &state)
        case AgentEvents.approvalGranted:
            setApproval(.granted, payload: payload, in: &state)
        case AgentEvents.approvalDenied:
            setApproval(.denied, payload: payload, in: &state)
        case AgentEvents.toolCallCompleted:
            guard let callId = payload["callId"]?.stringValue else { return }
            let name: String
            if var call = state.toolCalls[callId] {
                guard !call.completed else { return }
                call.completed = true
                state.toolCalls[callId] = call
                name = call.name
            } else {
                // A call of an earlier turn, which a newer response replaced as the current turn's
                // calls while it ran: its result still belongs after it, not "not run".
                guard let earlier = state.earlierCallAwaitingResult(callId) else { return }
                name = earlier
            }
            state.messages.append(
                .init(
                    role: "tool", content: payload["output"]?.stringValue ?? payload["output"].map(\.jsonString) ?? "",
                    callId: callId, name: name, isError: payload["isError"]?.boolValue ?? false))
        default:
            break
        }
    }

    private static func setApproval(_ approval: AgentState.Approval, payload: JSONValue, in state: inout AgentState) {
        guard let callId = payload["callId"]?.stringValue, var call = state.toolCalls[callId], !call.completed else { return }
        if approval == .pending || call.approval == .pending { call.approval = approval }
        state.toolCalls[callId] = call
    }
}
