import SpoolAgent
import SpoolCore

/// Everything a stream produced, in order.
struct CollectedAnswer {
    var deltas: [String] = []
    var started: [(id: String, name: String)] = []
    var completions: [LLMResponse] = []

    var response: LLMResponse? { completions.last }
}

func collect(_ stream: LLMStream) async throws -> CollectedAnswer {
    var answer = CollectedAnswer()
    for try await event in stream {
        switch event {
        case .textDelta(let text): answer.deltas.append(text)
        case .toolCallStarted(let id, let name): answer.started.append((id, name))
        case .completed(let response): answer.completions.append(response)
        }
    }
    return answer
}

/// Two tools, as the agent offers them.
let sampleTools = [
    ToolDefinition(
        name: "get_weather", description: "Current weather of a city.",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]),
    ToolDefinition(
        name: "read_stream", description: "Reads events of a stream.",
        parameters: [
            "type": "object", "properties": ["path": ["type": "string"], "limit": ["type": "integer"]], "required": ["path"],
        ]),
]

/// A conversation with every kind of message: a tool round trip included.
let sampleConversation = LLMRequest(
    model: "test-model", systemPrompt: "You are terse.",
    messages: [
        .user("Weather in Paris?"),
        .assistant(
            content: "Checking.",
            toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: ["city": "Paris"])]),
        .toolResult(ToolResult(callId: "call_1", name: "get_weather", output: "{\"celsius\":21}")),
        .developer("Answer in one line."),
        .user("And now?"),
    ],
    tools: sampleTools, temperature: 0.5, maxOutputTokens: 256)

func simpleRequest(_ text: String = "Hello") -> LLMRequest {
    LLMRequest(model: "test-model", messages: [.user(text)], tools: sampleTools)
}

/// The two parallel calls the tool-call tests script.
let weatherCall: JSONValue = ["city": "Paris", "units": "metric"]
let readCall: JSONValue = ["path": "/agents/ada", "limit": 5, "filter": ["type": "agent/input-added"]]
