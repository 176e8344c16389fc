import SpoolCore
import SpoolStore

/// `ask_agent {path, message}`: hires another agent. Appends `agent/input-added {content, from}`
/// to its stream and completes with that agent's final answer, so both streams show the exchange.
public struct AskAgentTool: AgentTool {
    public let definition = ToolDefinition(
        name: "ask_agent", description: "Ask another agent (by stream path) and wait for its final answer.",
        parameters: [
            "type": "object", "required": ["path", "message"],
            "properties": [
                "path": ["type": "string", "description": "The other agent's stream, e.g. /agents/researcher"],
                "message": ["type": "string"],
            ],
        ])
    /// How long to wait for the other agent's answer.
    let timeout: Duration

    public init(timeout: Duration = .seconds(600)) { self.timeout = timeout }

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        let path = try StreamPath(try arguments.requiredString("path"))
        guard path != context.stream else { throw ToolError("an agent cannot ask itself") }
        let input = try AppendInput(
            type: AgentEvents.inputAdded,
            payload: ["content": .string(try arguments.requiredString("message")), "from": .string(context.stream.rawValue)],
            idempotencyKey: "ask:\(context.stream.rawValue)#\(context.callId)".suffix(AppendInput.maximumIdempotencyKeyLength).description)
        let question = try await context.store.append(input, to: path)
        let answer = try await withThrowingTaskGroup(of: ToolOutcome?.self) { group in
            group.addTask { try await Self.answer(in: path, after: question.offset, store: context.store) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return answer ?? .output("\(path) did not answer within \(timeout)", isError: true)
    }

    /// Follows the other agent's stream until a response that ends its turn (no tool calls).
    static func answer(in path: StreamPath, after offset: Int, store: any EventStore) async throws -> ToolOutcome {
        for try await delivery in store.tail(path, after: offset) {
            guard case .events(let events) = delivery else { continue }
            for event in events {
                if event.type == AgentEvents.responseCompleted, event.payload["toolCalls"]?.arrayValue?.isEmpty ?? true {
                    return .output(event.payload["content"]?.stringValue ?? "")
                }
                // Retryable or not, the other agent waits for its next input: its turn is over.
                if event.type == AgentEvents.requestFailed {
                    return .output("\(path) failed: \(event.payload["error"]?.stringValue ?? "unknown error")", isError: true)
                }
            }
        }
        throw CancellationError()
    }
}
