import SpoolAgent
import SpoolCore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(3))) struct ProviderRegistryTests {
    @Test func withoutCredentialsTheDefaultIsEcho() throws {
        let registry = ProviderRegistry(environment: [:])
        #expect(registry.defaultProviderName == "echo")
        #expect(try registry.defaultProvider().name == "echo")
        #expect(registry.defaultModel(for: "echo") == "echo")
        let description = registry.describe()
        #expect(description.contains("LLM provider: echo"))
        #expect(description.contains("OPENAI_API_KEY"))
        #expect(description.contains("ANTHROPIC_API_KEY"))
        #expect(description.contains("OPENAI_BASE_URL"))
    }

    @Test func anOpenAIKeyMakesOpenAITheDefault() throws {
        let environment = ["OPENAI_API_KEY": "sk-open-secret", "ANTHROPIC_API_KEY": "sk-ant-secret", "SPOOL_DEFAULT_MODEL": "gpt-test"]
        let registry = ProviderRegistry(environment: environment)
        #expect(registry.defaultProviderName == "openai")
        let provider = try #require(try registry.defaultProvider() as? OpenAIChatProvider)
        #expect(provider.baseURL == "https://api.openai.com/v1")
        #expect(provider.compatibility == .openAI)
        #expect(registry.defaultModel(for: "openai") == "gpt-test")
        #expect(registry.defaultModel(for: "openai-responses") == "gpt-test")
        #expect(registry.defaultModel(for: "anthropic") == "claude-sonnet-4-5")
        let description = registry.describe()
        #expect(description.contains("LLM provider: openai, model gpt-test, at https://api.openai.com/v1"))
        #expect(description.contains("anthropic"))
        for text in [description, String(describing: registry.configuration), String(reflecting: registry.configuration)] {
            #expect(!text.contains("secret"))
        }
    }

    @Test func anAnthropicKeyAloneMakesAnthropicTheDefault() throws {
        let registry = ProviderRegistry(environment: ["ANTHROPIC_API_KEY": "sk-ant-secret", "ANTHROPIC_BASE_URL": "https://proxy.example/"])
        #expect(registry.defaultProviderName == "anthropic")
        let provider = try #require(try registry.defaultProvider() as? AnthropicMessagesProvider)
        #expect(provider.baseURL == "https://proxy.example")
        #expect(registry.defaultModel(for: "anthropic") == "claude-sonnet-4-5")
        #expect(registry.describe().contains("LLM provider: anthropic, model claude-sonnet-4-5"))
        #expect(throws: LLMError.self) { try registry.provider(named: "openai") }
    }

    @Test func buildsEveryProviderByName() throws {
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"])
        #expect(try registry.provider(named: "openai") is OpenAIChatProvider)
        #expect(try registry.provider(named: "openai-responses") is OpenAIResponsesProvider)
        #expect(try registry.provider(named: "anthropic") is AnthropicMessagesProvider)
        #expect(try registry.provider(named: "echo") is EchoProvider)
        let error = #expect(throws: LLMError.self) { try registry.provider(named: "gemini") }
        #expect(error?.message == "unknown LLM provider \"gemini\"; use one of openai, openai-responses, anthropic, echo")
        #expect(error?.retryable == false)
    }

    @Test func aMissingKeyIsAClearError() {
        let error = #expect(throws: LLMError.self) { try ProviderRegistry(environment: [:]).provider(named: "openai") }
        #expect(error?.message.contains("OPENAI_API_KEY is not set") == true)
    }

    @Test func aLocalCompatibleServerNeedsNoKey() throws {
        let registry = ProviderRegistry(environment: ["OPENAI_BASE_URL": "http://localhost:11434/v1", "SPOOL_DEFAULT_MODEL": "llama3.2"])
        #expect(registry.defaultProviderName == "echo")
        let provider = try #require(try registry.provider(named: "openai") as? OpenAIChatProvider)
        #expect(provider.baseURL == "http://localhost:11434/v1")
        #expect(provider.compatibility == .generic)
    }

    @Test func theDefaultProviderCanBeChosen() throws {
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k", "SPOOL_DEFAULT_PROVIDER": "openai-responses"])
        #expect(registry.defaultProviderName == "openai-responses")
        let unknown = ProviderRegistry(environment: ["SPOOL_DEFAULT_PROVIDER": "nope"])
        #expect(unknown.defaultProviderName == "echo")
        #expect(unknown.describe().contains("SPOOL_DEFAULT_PROVIDER=nope is not a provider"))
    }

    @Test func blankVariablesCountAsUnset() {
        let configuration = ProviderConfiguration(environment: ["OPENAI_API_KEY": "  ", "OPENAI_BASE_URL": ""])
        #expect(configuration.openAIAPIKey == nil)
        #expect(configuration.openAIBaseURL == "https://api.openai.com/v1")
        #expect(configuration.defaultProvider == "echo")
    }

    @Test func theIdleTimeoutIsReadInSeconds() {
        #expect(ProviderConfiguration(environment: [:]).idleTimeout == .seconds(120))
        #expect(ProviderConfiguration(environment: [:]).problem == nil)
        #expect(ProviderConfiguration(environment: ["SPOOL_LLM_IDLE_TIMEOUT": "90"]).idleTimeout == .seconds(90))
        #expect(ProviderConfiguration(environment: ["SPOOL_LLM_IDLE_TIMEOUT": " 0.5 "]).idleTimeout == .milliseconds(500))
        for bad in ["soon", "0", "-3", "1e9", "nan"] {
            let configuration = ProviderConfiguration(environment: ["SPOOL_LLM_IDLE_TIMEOUT": bad])
            #expect(configuration.idleTimeout == .seconds(120))
            #expect(configuration.problem?.contains("SPOOL_LLM_IDLE_TIMEOUT must be a number of seconds above 0") == true, "\(bad)")
        }
        #expect(ProviderConfiguration(environment: ["SPOOL_LLM_IDLE_TIMEOUT": "45"]).description.contains("SPOOL_LLM_IDLE_TIMEOUT: 45 s"))
    }

    @Test func describeHidesCredentialsInURLs() {
        let registry = ProviderRegistry(environment: ["OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "https://user:hunter2@llm.example/v1"])
        #expect(!registry.describe().contains("hunter2"))
        #expect(registry.describe().contains("https://llm.example/v1"))
    }

    @Test func customProvidersAreAddedByName() throws {
        let registry = ProviderRegistry(environment: [:]).adding(EchoProvider())
        #expect(try registry.provider(named: "echo") is EchoProvider)
    }

    @Test func registryProvidersReachTheConfiguredServer() async throws {
        try await FakeLLMServer.with(replies: [.text("via openai"), .text("via anthropic")]) { server in
            var configuration = ProviderConfiguration(environment: server.environment())
            configuration.retryPolicy = FakeLLMServer.testRetryPolicy
            let registry = ProviderRegistry(configuration: configuration)
            let model = registry.defaultModel(for: "openai")
            let first = try await registry.provider(named: "openai").stream(LLMRequest(model: model, messages: [.user("hi")])).response()
            let second = try await registry.provider(named: "anthropic").stream(LLMRequest(model: "claude", messages: [.user("hi")])).response()
            #expect(first.content == "via openai")
            #expect(second.content == "via anthropic")
            #expect(server.requests.map(\.api) == [.openAIChat, .anthropicMessages])
            #expect(server.requests.first?.model == "gpt-4.1-mini")
        }
    }
}
