import SpoolClient
import SpoolCore

/// Chat Completions streaming: `data: {chat.completion.chunk}` lines whose
/// `choices[0].delta` carries text and tool-call fragments keyed by `index`,
/// a last chunk with `usage` and empty `choices`, then `data: [DONE]`.
struct OpenAIChatStreamParser: StreamParser {
    let provider: String
    private var content = ""
    private var toolCalls = ToolCallAssembler()
    private var finishReason: String?
    private var usage = TokenUsage()

    init(provider: String) {
        self.provider = provider
    }

    mutating func consume(_ message: SSEDecoder.Message) throws -> [LLMStreamEvent] {
        let data = message.data
        if data.hasPrefix("[DONE]") { return [.completed(response())] }
        if data.allSatisfy(\.isWhitespace) { return [] }
        let chunk = try Self.parseJSON(data, provider: provider)
        // OpenRouter and vLLM report failures mid-stream as a chunk with an `error` object.
        if let error = chunk["error"], error != .null {
            let text = error["message"]?.stringValue ?? error.stringValue ?? error.jsonString
            throw LLMError("\(provider): the provider failed while streaming: \(text)", retryable: true)
        }
        if let usage = chunk["usage"], usage != .null {
            self.usage = TokenUsage(inputTokens: usage.int("prompt_tokens") ?? 0, outputTokens: usage.int("completion_tokens") ?? 0)
        }
        var events: [LLMStreamEvent] = []
        for choice in chunk["choices"]?.arrayValue ?? [] where (choice.int("index") ?? 0) == 0 {
            let delta = choice["delta"]
            if let text = delta?["content"]?.stringValue, !text.isEmpty {
                content += text
                events.append(.textDelta(text))
            }
            for fragment in delta?["tool_calls"]?.arrayValue ?? [] {
                if let started = apply(fragment) { events.append(started) }
            }
            if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        }
        return events
    }

    mutating func finish() throws -> LLMResponse {
        // A few compatible servers close the stream without `[DONE]`; a
        // finish reason already said the answer was whole.
        guard finishReason != nil else { throw Self.truncated(provider, expected: "data: [DONE]") }
        return response()
    }

    private mutating func apply(_ fragment: JSONValue) -> LLMStreamEvent? {
        let id = fragment["id"]?.stringValue
        let function = fragment["function"]
        let arguments: String? =
            switch function?["arguments"] {
            case .string(let text): text
            case .some(.null), nil: nil
            case .some(let value): value.jsonString  // some servers send the arguments as an object
            }
        // `index` says which call a fragment belongs to; servers that leave it
        // out send each call whole, told apart by id.
        let slot =
            fragment.int("index")
            ?? id.flatMap { toolCalls.slot(ofID: $0) }
            ?? (id != nil || toolCalls.isEmpty ? toolCalls.count : toolCalls.count - 1)
        return toolCalls.apply(slot: slot, id: id, name: function?["name"]?.stringValue, arguments: arguments)
    }

    private func response() -> LLMResponse {
        let calls = toolCalls.toolCalls
        let reason: FinishReason =
            switch finishReason {
            case "tool_calls", "function_call": .toolCalls
            case "length": .length
            case "content_filter": .contentFilter
            case "stop", nil: calls.isEmpty ? .stop : .toolCalls
            case let other?: FinishReason(rawValue: other)
            }
        return LLMResponse(content: content, toolCalls: calls, finishReason: reason, usage: usage)
    }
}
