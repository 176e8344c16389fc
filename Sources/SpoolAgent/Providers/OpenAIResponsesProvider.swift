import AsyncHTTPClient
import Logging
import NIOCore
import SpoolCore

/// The OpenAI Responses API, streamed, with function calling: `POST {baseURL}/responses`.
///
/// Requests are stateless (`store: false`): the agent's stream is the memory,
/// so every request carries the whole conversation as input items.
public struct OpenAIResponsesProvider: LLMProvider {
    public let name: String
    /// Such as `https://api.openai.com/v1`; requests go to `{baseURL}/responses`.
    public let baseURL: String
    private let apiKey: APIKey?
    private let transport: ProviderTransport

    /// - Parameters:
    ///   - name: the provider's name in events and errors.
    ///   - baseURL: the API root, ending in `/v1`.
    ///   - apiKey: sent as `Authorization: Bearer …`; `nil` for servers without auth.
    ///   - httpClient: the client to send with; tests inject one.
    ///   - retryPolicy: retries of 429, 5xx and connection errors before any output.
    ///   - idleTimeout: the longest the provider may send nothing, per attempt: for the response to
    ///     start, and between two chunks of the streamed answer. It fails the attempt like a lost connection.
    public init(
        name: String = "openai-responses", baseURL: String = "https://api.openai.com/v1", apiKey: String?,
        httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = .llmDefault,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout, logger: Logger? = nil
    ) {
        self.name = name
        self.baseURL = baseURL.trimmingSuffix("/")
        self.apiKey = APIKey(apiKey)
        self.transport = ProviderTransport(
            provider: name, http: httpClient, retryPolicy: retryPolicy, idleTimeout: idleTimeout, logger: logger ?? disabledLogger,
            apiKey: self.apiKey, credentialHint: "check OPENAI_API_KEY")
    }

    public func stream(_ request: LLMRequest) async throws -> LLMStream {
        try await transport.postStreaming(
            url: baseURL + "/responses", body: requestBody(request), headers: apiKey.map { [(name: "Authorization", value: "Bearer \($0.value)")] } ?? [], parser: OpenAIResponsesStreamParser(provider: name))
    }

    /// The JSON body of a streamed Responses request.
    func requestBody(_ request: LLMRequest) -> JSONValue {
        var input: [JSONValue] = []
        for message in request.messages {
            switch message {
            case .user(let text): input.append(["role": "user", "content": .string(text)])
            case .system(let text): input.append(["role": "system", "content": .string(text)])
            case .developer(let text): input.append(["role": "developer", "content": .string(text)])
            case .assistant(let content, let toolCalls):
                if !content.isEmpty { input.append(["role": "assistant", "content": .string(content)]) }
                for call in toolCalls {
                    input.append([
                        "type": "function_call", "call_id": .string(call.id), "name": .string(call.name),
                        "arguments": .string(call.argumentsText),
                    ])
                }
            case .toolResult(let result):
                input.append(["type": "function_call_output", "call_id": .string(result.callId), "output": .string(result.textForModel)])
            }
        }
        var body: JSONObject = ["model": .string(request.model)]
        if let systemPrompt = request.systemPrompt, !systemPrompt.isEmpty { body["instructions"] = .string(systemPrompt) }
        body["input"] = .array(input)
        if !request.tools.isEmpty {
            // `strict` defaults to true here, which only accepts a subset of JSON Schema; tools bring their own schemas.
            body["tools"] = .array(
                request.tools.map {
                    [
                        "type": "function", "name": .string($0.name), "description": .string($0.description),
                        "parameters": $0.parameters, "strict": false,
                    ]
                })
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let maxOutputTokens = request.maxOutputTokens { body["max_output_tokens"] = .int(Int64(maxOutputTokens)) }
        body["stream"] = true
        body["store"] = false
        return .object(body)
    }
}
