@testable import SpoolAgent
import SpoolCore
import Testing

/// The messages an agent sends its model, folded from its events.
struct AgentConversationTests {
    private func conversation(_ events: [(String, JSONValue)]) throws -> [LLMMessage] {
        try state(after: events).llmMessages
    }

    private func state(after events: [(String, JSONValue)]) throws -> AgentState {
        var state = AgentState()
        for (index, (type, payload)) in events.enumerated() {
            let event = Event(
                streamPath: try StreamPath("/agents/a"), offset: index + 1, position: index + 1, type: type,
                payloadJSON: payload.jsonString, createdAt: Timestamp(millisecondsSinceEpoch: 0))
            AgentReducer.reduce(into: &state, event: event)
        }
        return state
    }

    private let twoCalls: JSONValue = [
        "requestId": "req-1", "content": "",
        "toolCalls": [["id": "call_A", "name": "append_event", "arguments": [:]], ["id": "call_B", "name": "read_stream", "arguments": [:]]],
    ]

    /// A new message while calls wait (for approval, say): each call still gets a result right
    /// after it, as providers require, and a result that came after the message moves up.
    @Test func everyToolCallIsFollowedByItsResult() throws {
        let messages = try conversation([
            ("agent/input-added", ["content": "do it"]),
            ("llm/request-started", ["requestId": "req-1"]),
            ("llm/response-completed", twoCalls),
            ("agent/input-added", ["content": "never mind"]),
            ("tool/call-completed", ["callId": "call_B", "name": "read_stream", "output": "[]"]),
        ])
        #expect(messages == [
            .user("do it"),
            .assistant(content: "", toolCalls: [ToolCall(id: "call_A", name: "append_event"), ToolCall(id: "call_B", name: "read_stream")]),
            .toolResult(ToolResult(callId: "call_A", name: "append_event", output: "not run: a new message arrived before this call had its result", isError: true)),
            .toolResult(ToolResult(callId: "call_B", name: "read_stream", output: "[]")),
            .user("never mind"),
        ])
    }

    /// A call still running when a new message's answer (without calls) ended the turn: its
    /// result, when it comes, is told to the model after the call, once, instead of "not run".
    /// It starts no turn of its own, now or when the agent resumes.
    @Test func aResultAfterTheNextAnswerIsStillTold() throws {
        let state = try state(after: [
            ("agent/input-added", ["content": "do it"]),
            ("llm/request-started", ["requestId": "req-1"]),
            ("llm/response-completed", twoCalls),
            ("tool/call-completed", ["callId": "call_A", "name": "append_event", "output": "ok"]),
            ("agent/input-added", ["content": "how is it going?"]),
            ("llm/request-started", ["requestId": "req-2"]),
            ("llm/response-completed", ["requestId": "req-2", "content": "still reading"]),
            ("tool/call-completed", ["callId": "call_B", "name": "read_stream", "output": "[1]"]),
            ("tool/call-completed", ["callId": "call_B", "name": "read_stream", "output": "[2]"]),
            ("tool/call-completed", ["callId": "call_C", "name": "read_stream", "output": "never asked for"]),
        ])
        #expect(!state.awaitsRequest && !state.turnIsUnfinished)
        #expect(state.llmMessages == [
            .user("do it"),
            .assistant(content: "", toolCalls: [ToolCall(id: "call_A", name: "append_event"), ToolCall(id: "call_B", name: "read_stream")]),
            .toolResult(ToolResult(callId: "call_A", name: "append_event", output: "ok")),
            .toolResult(ToolResult(callId: "call_B", name: "read_stream", output: "[1]")),
            .user("how is it going?"),
            .assistant(content: "still reading", toolCalls: []),
        ])
    }

    @Test func anOrdinaryTurnIsUnchanged() throws {
        let messages = try conversation([
            ("agent/input-added", ["content": "do it"]),
            ("llm/request-started", ["requestId": "req-1"]),
            ("llm/response-completed", twoCalls),
            ("tool/call-completed", ["callId": "call_A", "name": "append_event", "output": "ok"]),
            ("tool/call-completed", ["callId": "call_B", "name": "read_stream", "output": "[]", "isError": false]),
        ])
        #expect(messages.count == 4)
        #expect(messages[2] == .toolResult(ToolResult(callId: "call_A", name: "append_event", output: "ok")))
        #expect(messages[3] == .toolResult(ToolResult(callId: "call_B", name: "read_stream", output: "[]")))
    }

    @Test func configurationProblemsAreNamed() {
        let known: Set<String> = ["read_stream", "wait"]
        #expect(AgentConfiguration.problems(in: ["provider": "openai", "tools": ["read_stream"], "debounceMs": 0], knownTools: known).isEmpty)
        let problems = AgentConfiguration.problems(
            in: ["provider": 5, "tools": ["read_stream", "teleport"], "debounceMs": -1, "temprature": 0.2], knownTools: known)
        #expect(problems == [
            "unknown field 'temprature' (known: provider, model, systemPrompt, tools, temperature, maxOutputTokens, debounceMs, requireApproval)",
            "'provider' must be a string", "'debounceMs' must be an integer of 0 or more",
            "no tool is called teleport (tools: read_stream, wait)",
        ])
    }
}
