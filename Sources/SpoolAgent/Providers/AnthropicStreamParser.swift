import SpoolClient
import SpoolCore

/// Messages API streaming: `message_start` (input usage), then per content
/// block `content_block_start` (text or `tool_use` with id and name),
/// `content_block_delta`s (`text_delta`, `input_json_delta` fragments of the
/// tool input) and `content_block_stop`; `message_delta` with `stop_reason`
/// and output usage; `message_stop`. `ping` may come anywhere, `error` ends it.
struct AnthropicStreamParser: StreamParser {
    let provider: String
    private var content = ""
    private var toolCalls = ToolCallAssembler()
    /// Tool call slots by content block index.
    private var toolBlocks: [Int: Int] = [:]
    /// Blocks whose start carried a whole input, replaced by the first delta if one comes.
    private var inputFromStart: Set<Int> = []
    private var stopReason: String?
    private var inputTokens = 0
    private var outputTokens = 0

    init(provider: String) {
        self.provider = provider
    }

    mutating func consume(_ message: SSEDecoder.Message) throws -> [LLMStreamEvent] {
        if message.data.allSatisfy(\.isWhitespace) { return [] }
        let event = try Self.parseJSON(message.data, provider: provider)
        switch event["type"]?.stringValue ?? message.event ?? "" {
        case "message_start":
            if let usage = event["message"]?["usage"] { record(usage) }
            return []
        case "content_block_start":
            guard let index = event.int("index"), let block = event["content_block"] else { return [] }
            switch block["type"]?.stringValue {
            case "text":
                guard let text = block["text"]?.stringValue, !text.isEmpty else { return [] }
                content += text
                return [.textDelta(text)]
            case "tool_use":
                let slot = toolCalls.count
                toolBlocks[index] = slot
                var initial: String?
                if let input = block["input"], input != .emptyObject, input != .null {
                    initial = input.jsonString
                    inputFromStart.insert(index)
                }
                return toolCalls.apply(slot: slot, id: block["id"]?.stringValue, name: block["name"]?.stringValue, arguments: initial)
                    .map { [$0] } ?? []
            default:
                return []  // thinking and server tool blocks are not part of the answer
            }
        case "content_block_delta":
            guard let index = event.int("index"), let delta = event["delta"] else { return [] }
            switch delta["type"]?.stringValue {
            case "text_delta":
                guard let text = delta["text"]?.stringValue, !text.isEmpty else { return [] }
                content += text
                return [.textDelta(text)]
            case "input_json_delta":
                guard let slot = toolBlocks[index], let fragment = delta["partial_json"]?.stringValue else { return [] }
                if inputFromStart.remove(index) != nil { toolCalls.setArguments(slot: slot, "") }
                _ = toolCalls.apply(slot: slot, id: nil, name: nil, arguments: fragment)
                return []
            default:
                return []
            }
        case "message_delta":
            if let reason = event["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            if let usage = event["usage"] { record(usage) }
            return []
        case "message_stop":
            return [.completed(response())]
        case "error":
            let error = event["error"]
            let type = error?["type"]?.stringValue ?? "error"
            let retryable = ["overloaded_error", "api_error", "rate_limit_error", "timeout_error"].contains(type)
            throw LLMError("\(provider): \(type): \(error?["message"]?.stringValue ?? "unknown error")", retryable: retryable)
        default:
            return []  // ping, content_block_stop, and event types added later
        }
    }

    mutating func finish() throws -> LLMResponse {
        throw Self.truncated(provider, expected: "message_stop")
    }

    /// Usage counts are cumulative; input counts cached tokens too.
    private mutating func record(_ usage: JSONValue) {
        if let input = usage.int("input_tokens") {
            inputTokens = input + (usage.int("cache_creation_input_tokens") ?? 0) + (usage.int("cache_read_input_tokens") ?? 0)
        }
        if let output = usage.int("output_tokens") { outputTokens = output }
    }

    private func response() -> LLMResponse {
        let calls = toolCalls.toolCalls
        let reason: FinishReason =
            switch stopReason {
            case "end_turn", "stop_sequence": calls.isEmpty ? .stop : .toolCalls
            case "tool_use": .toolCalls
            case "max_tokens", "model_context_window_exceeded": .length
            case "refusal": .contentFilter
            case nil: calls.isEmpty ? .stop : .toolCalls
            case let other?: FinishReason(rawValue: other)
            }
        return LLMResponse(
            content: content, toolCalls: calls, finishReason: reason,
            usage: TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens))
    }
}
