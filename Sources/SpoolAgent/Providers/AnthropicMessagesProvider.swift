import AsyncHTTPClient
import Logging
import NIOCore
import SpoolCore

/// Anthropic's Messages API, streamed, with tool use: `POST {baseURL}/v1/messages`.
///
/// System and developer messages join the system prompt (the API has no such
/// roles in `messages`); consecutive messages of one role are merged, tool
/// results first, as the API requires.
public struct AnthropicMessagesProvider: LLMProvider {
    /// The `anthropic-version` header this provider speaks.
    public static let apiVersion = "2023-06-01"

    public let name: String
    /// Such as `https://api.anthropic.com`; requests go to `{baseURL}/v1/messages`.
    public let baseURL: String
    /// `max_tokens` when a request sets none (the API requires one).
    public let defaultMaxTokens: Int
    private let apiKey: APIKey?
    private let transport: ProviderTransport

    /// - Parameters:
    ///   - name: the provider's name in events and errors.
    ///   - baseURL: the API root, without `/v1`.
    ///   - apiKey: sent as `x-api-key`.
    ///   - httpClient: the client to send with; tests inject one.
    ///   - retryPolicy: retries of 429, 5xx (529 overloaded included) and connection errors before any output.
    ///   - defaultMaxTokens: `max_tokens` for requests without `maxOutputTokens`.
    ///   - idleTimeout: the longest the provider may send nothing, per attempt: for the response to
    ///     start, and between two chunks of the streamed answer. It fails the attempt like a lost connection.
    public init(
        name: String = "anthropic", baseURL: String = "https://api.anthropic.com", apiKey: String?,
        httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = .llmDefault, defaultMaxTokens: Int = 8192,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout, logger: Logger? = nil
    ) {
        self.name = name
        self.baseURL = baseURL.trimmingSuffix("/")
        self.defaultMaxTokens = defaultMaxTokens
        self.apiKey = APIKey(apiKey)
        self.transport = ProviderTransport(
            provider: name, http: httpClient, retryPolicy: retryPolicy, idleTimeout: idleTimeout, logger: logger ?? disabledLogger,
            apiKey: self.apiKey, credentialHint: "check ANTHROPIC_API_KEY")
    }

    public func stream(_ request: LLMRequest) async throws -> LLMStream {
        try await transport.postStreaming(
            url: baseURL + "/v1/messages", body: requestBody(request), headers: [(name: "anthropic-version", value: Self.apiVersion)] + (apiKey.map { [(name: "x-api-key", value: $0.value)] } ?? []), parser: AnthropicStreamParser(provider: name))
    }

    /// The JSON body of a streamed Messages request.
    func requestBody(_ request: LLMRequest) -> JSONValue {
        var system: [String] = []
        if let systemPrompt = request.systemPrompt, !systemPrompt.isEmpty { system.append(systemPrompt) }
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        for message in request.messages {
            switch message {
            case .system(let text), .developer(let text):
                if !text.isEmpty { system.append(text) }
            case .user(let text):
                add("user", text.isEmpty ? [] : [["type": "text", "text": .string(text)]])
            case .assistant(let content, let toolCalls):
                var blocks: [JSONValue] = content.isEmpty ? [] : [["type": "text", "text": .string(content)]]
                for call in toolCalls {
                    // `input` must be an object; arguments the model garbled are sent back as none.
                    let input: JSONValue = call.arguments.objectValue != nil ? call.arguments : .emptyObject
                    blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
                }
                add("assistant", blocks)
            case .toolResult(let result):
                var block: JSONObject = ["type": "tool_result", "tool_use_id": .string(result.callId), "content": .string(result.output)]
                if result.isError { block["is_error"] = true }
                add("user", [.object(block)])
            }
        }
        let messages: [JSONValue] = turns.map { turn in
            // Tool results must open the user turn that follows the tool use.
            let blocks =
                turn.role == "user"
                ? turn.blocks.filter { $0["type"] == "tool_result" } + turn.blocks.filter { $0["type"] != "tool_result" }
                : turn.blocks
            if blocks.count == 1, blocks[0]["type"] == "text", let text = blocks[0]["text"] {
                return ["role": .string(turn.role), "content": text]
            }
            return ["role": .string(turn.role), "content": .array(blocks)]
        }
        var body: JSONObject = [
            "model": .string(request.model), "max_tokens": .int(Int64(request.maxOutputTokens ?? defaultMaxTokens)),
        ]
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        body["messages"] = .array(messages)
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.parameters]
                })
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        body["stream"] = true
        return .object(body)
    }
}
