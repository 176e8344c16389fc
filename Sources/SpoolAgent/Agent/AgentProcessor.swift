import SpoolCore

/// The `agent` processor: any stream becomes an agent when it receives
/// `agent/input-added`. It folds the conversation, appends the turn's small
/// bookkeeping events itself, and hands LLM requests and tool runs to
/// `AgentRuntime` through the job queue.
public struct AgentProcessor: StreamProcessor, SnapshotPolicy, EventInterest {
    public let name = "agent"
    public let streams = StreamPattern.all
    public let initialState = AgentState()
    let queue: AgentJobQueue
    let toolbox: Toolbox

    public init(queue: AgentJobQueue, toolbox: Toolbox) {
        self.queue = queue
        self.toolbox = toolbox
    }

    /// Only the agent loop's own events: every other event of every stream passes it by.
    public func isInterested(in event: Event) -> Bool { AgentEvents.isAgentType(event.type) }

    public func reduce(into state: inout AgentState, event: Event) {
        AgentReducer.reduce(into: &state, event: event)
    }

    public func afterAppend(event: Event, state: AgentState, context: ProcessorContext) async throws {
        if event.type == AgentEvents.configured {
            // Stored and applied as far as it can be; what it could not say is reported, not ignored.
            let problems = AgentConfiguration.problems(in: event.payload, knownTools: Set(toolbox.tools.keys))
            if !problems.isEmpty {
                try await context.append(
                    Reaction.failure(processor: name, event: event, message: "agent/configured: " + problems.joined(separator: "; ")))
            }
        }
        let actions = AgentPlanner.actions(after: event, state: state) { toolbox.requiresApproval($0, configuration: state.configuration) }
        // The state a new request starts from: this one, less a request cancelled just now.
        var requestState = state
        for action in actions {
            switch action {
            case .cancelRequest(let requestId, let reason):
                queue.supersede(event.streamPath)
                requestState.activeRequestId = nil
                try await context.append(
                    AppendInput(type: AgentEvents.requestCancelled, payload: ["requestId": .string(requestId), "reason": .string(reason)]))
            case .startRequest(let debounceMs):
                queue.submitRequest(event.streamPath, debounceMs: debounceMs, state: requestState)
            case .announceToolCall(let callId, let needsApproval):
                guard let call = state.toolCalls[callId] else { continue }
                try await context.append(
                    AppendInput(
                        type: AgentEvents.toolCallRequested,
                        payload: [
                            "requestId": .string(call.requestId), "callId": .string(callId), "name": .string(call.name),
                            "arguments": (try? JSONValue.parse(call.argumentsJSON)) ?? .emptyObject,
                        ]))
                if needsApproval {
                    try await context.append(AppendInput(type: AgentEvents.approvalRequested, payload: ["callId": .string(callId)]))
                }
            case .stopRequest(let requestId):
                queue.cancel(event.streamPath, requestId: requestId)
            case .runTool(let callId):
                queue.submitTool(event.streamPath, callId: callId)
            case .completeDenied(let callId, let reason):
                try await context.append(
                    AppendInput(
                        type: AgentEvents.toolCallCompleted,
                        payload: [
                            "callId": .string(callId), "name": .string(state.toolCalls[callId]?.name ?? ""),
                            "output": .string("denied: \(reason)"), "isError": true,
                        ], idempotencyKey: "agent:tool:\(callId)"))
            }
        }
    }

    /// Turn boundaries are saved at once, so a restart or a takeover can tell from the snapshots
    /// which turns may be unfinished (see `AgentRuntime+Resuming.swift`).
    public func snapshotsImmediately(after event: Event) -> Bool {
        event.type != AgentEvents.outputDelta && AgentEvents.isAgentType(event.type)
    }
}
