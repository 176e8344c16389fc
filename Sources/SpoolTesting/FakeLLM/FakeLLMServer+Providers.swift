import AsyncHTTPClient
import SpoolAgent
import SpoolCore

extension FakeLLMServer {
    /// A short retry policy for tests: 3 attempts, 10 ms apart.
    public static let testRetryPolicy = RetryPolicy(attempts: 3, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))

    /// An OpenAI Chat Completions provider talking to this server.
    public func openAIChatProvider(
        apiKey: String? = "sk-test-key", httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = testRetryPolicy,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout
    ) -> OpenAIChatProvider {
        OpenAIChatProvider(
            baseURL: openAIBaseURL, apiKey: apiKey, httpClient: httpClient, retryPolicy: retryPolicy, compatibility: .openAI,
            idleTimeout: idleTimeout)
    }

    /// An OpenAI Responses provider talking to this server.
    public func openAIResponsesProvider(
        apiKey: String? = "sk-test-key", httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = testRetryPolicy,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout
    ) -> OpenAIResponsesProvider {
        OpenAIResponsesProvider(
            baseURL: openAIBaseURL, apiKey: apiKey, httpClient: httpClient, retryPolicy: retryPolicy, idleTimeout: idleTimeout)
    }

    /// An Anthropic Messages provider talking to this server.
    public func anthropicProvider(
        apiKey: String? = "sk-ant-test-key", httpClient: HTTPClient = .shared, retryPolicy: RetryPolicy = testRetryPolicy,
        idleTimeout: Duration = ProviderConfiguration.defaultIdleTimeout
    ) -> AnthropicMessagesProvider {
        AnthropicMessagesProvider(
            baseURL: baseURL, apiKey: apiKey, httpClient: httpClient, retryPolicy: retryPolicy, idleTimeout: idleTimeout)
    }

    /// The environment that points every provider of a ``ProviderRegistry`` at this server.
    public func environment(defaultProvider: String = "openai") -> [String: String] {
        [
            "OPENAI_API_KEY": "sk-test-key", "OPENAI_BASE_URL": openAIBaseURL, "ANTHROPIC_API_KEY": "sk-ant-test-key",
            "ANTHROPIC_BASE_URL": baseURL, "SPOOL_DEFAULT_PROVIDER": defaultProvider,
        ]
    }
}
