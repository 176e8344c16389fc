import SpoolCore

extension AgentState {
    /// What a tool call that never got a result says to the model.
    static let unansweredCallOutput = "not run: a new message arrived before this call had its result"

    /// The conversation as provider messages, each tool call followed by its result as providers
    /// require: a result recorded later (after a new input) moves up to its call, and a call that
    /// never got one (a new input arrived while it waited for approval) gets an error result.
    public var llmMessages: [LLMMessage] {
        var results: [String: Message] = [:]
        for message in messages where message.role == "tool" {
            if let callId = message.callId, results[callId] == nil { results[callId] = message }
        }
        var placed = Set<String>()
        var output: [LLMMessage] = []
        for message in messages {
            switch message.role {
            case "system": output.append(.system(message.content))
            case "developer": output.append(.developer(message.content))
            case "assistant":
                let calls = message.toolCalls ?? []
                output.append(
                    .assistant(
                        content: message.content,
                        toolCalls: calls.map {
                            ToolCall(id: $0.id, name: $0.name, arguments: (try? JSONValue.parse($0.argumentsJSON)) ?? .emptyObject)
                        }))
                for call in calls where placed.insert(call.id).inserted {
                    if let result = results[call.id] {
                        output.append(.toolResult(Self.toolResult(result)))
                    } else {
                        output.append(.toolResult(ToolResult(callId: call.id, name: call.name, output: Self.unansweredCallOutput, isError: true)))
                    }
                }
            case "tool":
                // Placed after its call already; one without a call stays where it is.
                if let callId = message.callId, placed.contains(callId) { continue }
                output.append(.toolResult(Self.toolResult(message)))
            default: output.append(.user(message.content))
            }
        }
        return output
    }

    private static func toolResult(_ message: Message) -> ToolResult {
        ToolResult(callId: message.callId ?? "", name: message.name ?? "", output: message.content, isError: message.isError ?? false)
    }
}
