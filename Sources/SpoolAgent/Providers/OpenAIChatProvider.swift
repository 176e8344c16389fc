import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SpoolCore

/// OpenAI Chat Completions, streamed, with tool calling: `POST {baseURL}/chat/completions`.
///
/// Works with any server that speaks the same API — vLLM, llama.cpp,
/// Ollama, OpenRouter — by pointing `baseURL` at it (`http://localhost:11434/v1`
/// for Ollama); servers that need no key work with `apiKey: nil`.
///
/// ```swift
/// let provider = OpenAIChatProvider(apiKey: key)
/// let answer = try await provider.stream(LLMRequest(model: "gpt-4.1-mini", messages: [.user("Hi")])).response()
/// ```
public struct OpenAIChatProvider: LLMProvider {
    /// Differences between OpenAI itself and compatible servers.
    public struct Compatibility: Sendable, Equatable {
        /// The field that limits output: OpenAI wants `max_completion_tokens`,
        /// older compatible servers only know `max_tokens`.
        public var maxTokensField: String
        /// The role `LLMMessage.developer` is sent as: `developer` on OpenAI,
        /// `system` where that role is unknown.
        public var developerRole: String

        public init(maxTokensField: String, developerRole: String) {
            self.maxTokensField = maxTokensField
            self.developerRole = developerRole
        }

        public static let openAI = Compatibility(maxTokensField: "max_completion_tokens", developerRole: "developer")
        public static let generic = Compatibility(maxTokensField: "max_tokens", developerRole: "system")

        /// `.openAI` for api.openai.com, `.generic` for anything else.
        public static func forBaseURL(_ baseURL: String) -> Compatibility {
            URL(string: baseURL)?.host == "api.openai.com" ? .openAI : .generic
        }
    }

    public let name: String
    /// Such as `https://api.openai.com/v1`; requests go to `{baseURL}/chat/completions`.
    public let baseURL: String
    public let compatibility: Compatibility
    private let apiKey: APIKey?
    private let transport: ProviderTransport

    /// - Parameters:
    ///   - name: the provider's name in events and errors.
    ///   - baseURL: the API root, ending in `/v1` for most servers.
    ///   - apiKey: sent as `Authorization: Bearer …`; `nil` for servers without auth.
    ///   - httpClient: the client to send with; tests inject one.
    ///   - retryPolicy: retries of 429, 5xx and connection errors before any output.
    ///   - compatibility: derived from `baseURL` when `nil`.
    ///   - idleTimeout: the longest the provider may send nothing, per attempt: for the response to
    ///     start, and between two chunks of the streamed answer. It fails the attempt like a lost connection.
    public init(
        name: String = "openai", baseURL: String = "https://api.openai.com/v1", apiKey: String?,
        httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = .llmDefault, compatibility: Compatibility? = nil,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout, logger: Logger? = nil
    ) {
        self.name = name
        self.baseURL = baseURL.trimmingSuffix("/")
        self.compatibility = compatibility ?? .forBaseURL(baseURL)
        self.apiKey = APIKey(apiKey)
        self.transport = ProviderTransport(
            provider: name, http: httpClient, retryPolicy: retryPolicy, idleTimeout: idleTimeout, logger: logger ?? disabledLogger,
            apiKey: self.apiKey, credentialHint: "check OPENAI_API_KEY")
    }

    public func stream(_ request: LLMRequest) async throws -> LLMStream {
        try await transport.postStreaming(
            url: baseURL + "/chat/completions", body: requestBody(request), headers: apiKey.map { [(name: "Authorization", value: "Bearer \($0.value)")] } ?? [], parser: OpenAIChatStreamParser(provider: name))
    }

    /// The JSON body of a streamed Chat Completions request.
    func requestBody(_ request: LLMRequest) -> JSONValue {
        var messages: [JSONValue] = []
        if let systemPrompt = request.systemPrompt, !systemPrompt.isEmpty {
            messages.append(["role": "system", "content": .string(systemPrompt)])
        }
        for message in request.messages {
            switch message {
            case .user(let text): messages.append(["role": "user", "content": .string(text)])
            case .system(let text): messages.append(["role": "system", "content": .string(text)])
            case .developer(let text): messages.append(["role": .string(compatibility.developerRole), "content": .string(text)])
            case .assistant(let content, let toolCalls):
                var object: JSONObject = ["role": "assistant", "content": content.isEmpty && !toolCalls.isEmpty ? .null : .string(content)]
                if !toolCalls.isEmpty {
                    object["tool_calls"] = .array(
                        toolCalls.map {
                            [
                                "id": .string($0.id), "type": "function",
                                "function": ["name": .string($0.name), "arguments": .string($0.argumentsText)],
                            ]
                        })
                }
                messages.append(.object(object))
            case .toolResult(let result):
                messages.append(["role": "tool", "tool_call_id": .string(result.callId), "content": .string(result.textForModel)])
            }
        }
        var body: JSONObject = ["model": .string(request.model), "messages": .array(messages)]
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map {
                    [
                        "type": "function",
                        "function": ["name": .string($0.name), "description": .string($0.description), "parameters": $0.parameters],
                    ]
                })
        }
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let maxOutputTokens = request.maxOutputTokens { body[compatibility.maxTokensField] = .int(Int64(maxOutputTokens)) }
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        return .object(body)
    }
}
