import SpoolClient
import SpoolCore

/// Responses API streaming: typed events (`event: response.output_text.delta`
/// and so on) whose JSON repeats the name in `type`. Function calls are output
/// items (`response.output_item.added` with `type: function_call`) whose
/// arguments stream as `response.function_call_arguments.delta`; the answer
/// ends with `response.completed` (or `response.incomplete`) carrying `usage`.
struct OpenAIResponsesStreamParser: StreamParser {
    let provider: String
    private var content = ""
    private var refused = false
    private var toolCalls = ToolCallAssembler()
    /// Call slots by output item id and by output index.
    private var slotsByItemID: [String: Int] = [:]
    private var slotsByOutputIndex: [Int: Int] = [:]

    init(provider: String) {
        self.provider = provider
    }

    mutating func consume(_ message: SSEDecoder.Message) throws -> [LLMStreamEvent] {
        if message.data.allSatisfy(\.isWhitespace) { return [] }
        let event = try Self.parseJSON(message.data, provider: provider)
        switch event["type"]?.stringValue ?? message.event ?? "" {
        case "response.output_text.delta", "response.refusal.delta":
            guard let delta = event["delta"]?.stringValue, !delta.isEmpty else { return [] }
            if event["type"]?.stringValue == "response.refusal.delta" { refused = true }
            content += delta
            return [.textDelta(delta)]
        case "response.output_item.added":
            guard let item = event["item"], item["type"]?.stringValue == "function_call" else { return [] }
            let slot = slot(for: event, item: item) ?? newSlot(for: event, item: item)
            let started = toolCalls.apply(
                slot: slot, id: item["call_id"]?.stringValue, name: item["name"]?.stringValue,
                arguments: item["arguments"]?.stringValue)
            return started.map { [$0] } ?? []
        case "response.function_call_arguments.delta":
            guard let slot = slot(for: event, item: nil) else { return [] }
            return toolCalls.apply(slot: slot, id: nil, name: nil, arguments: event["delta"]?.stringValue).map { [$0] } ?? []
        case "response.function_call_arguments.done":
            if let slot = slot(for: event, item: nil), let arguments = event["arguments"]?.stringValue {
                toolCalls.setArguments(slot: slot, arguments)
            }
            return []
        case "response.output_item.done":
            guard let item = event["item"], item["type"]?.stringValue == "function_call" else { return [] }
            // The finished item is authoritative, and the only source for servers that skip the deltas.
            let known = slot(for: event, item: item)
            let slot = known ?? newSlot(for: event, item: item)
            let started = toolCalls.apply(
                slot: slot, id: item["call_id"]?.stringValue, name: item["name"]?.stringValue, arguments: nil)
            if let arguments = item["arguments"]?.stringValue { toolCalls.setArguments(slot: slot, arguments) }
            return started.map { [$0] } ?? []
        case "response.completed", "response.incomplete":
            return [.completed(completion(event["response"] ?? .emptyObject))]
        case "response.failed":
            let error = event["response"]?["error"]
            throw failure(code: error?["code"]?.stringValue, message: error?["message"]?.stringValue ?? "the response failed")
        case "error":
            throw failure(
                code: event["code"]?.stringValue ?? event["error"]?["code"]?.stringValue,
                message: event["message"]?.stringValue ?? event["error"]?["message"]?.stringValue ?? "unknown error")
        default:
            return []
        }
    }

    mutating func finish() throws -> LLMResponse {
        throw Self.truncated(provider, expected: "response.completed")
    }

    private func slot(for event: JSONValue, item: JSONValue?) -> Int? {
        if let id = item?["id"]?.stringValue ?? event["item_id"]?.stringValue, let slot = slotsByItemID[id] { return slot }
        if let index = event.int("output_index"), let slot = slotsByOutputIndex[index] { return slot }
        return nil
    }

    private mutating func newSlot(for event: JSONValue, item: JSONValue) -> Int {
        let slot = toolCalls.count
        if let id = item["id"]?.stringValue { slotsByItemID[id] = slot }
        if let index = event.int("output_index") { slotsByOutputIndex[index] = slot }
        return slot
    }

    private func completion(_ response: JSONValue) -> LLMResponse {
        let usage = response["usage"]
        let calls = toolCalls.toolCalls
        var reason: FinishReason = calls.isEmpty ? .stop : .toolCalls
        if refused { reason = .contentFilter }
        if response["status"]?.stringValue == "incomplete" {
            switch response["incomplete_details"]?["reason"]?.stringValue {
            case "max_output_tokens": reason = .length
            case "content_filter": reason = .contentFilter
            case let other?: reason = FinishReason(rawValue: other)
            case nil: reason = .length
            }
        }
        return LLMResponse(
            content: content, toolCalls: calls, finishReason: reason,
            usage: TokenUsage(inputTokens: usage?.int("input_tokens") ?? 0, outputTokens: usage?.int("output_tokens") ?? 0))
    }

    private func failure(code: String?, message: String) -> LLMError {
        let retryable = ["server_error", "rate_limit_exceeded", "server_is_overloaded", "slow_down"].contains(code ?? "")
        return LLMError("\(provider): \(code.map { "\($0): " } ?? "")\(message)", retryable: retryable)
    }
}
