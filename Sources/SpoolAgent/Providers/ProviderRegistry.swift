import AsyncHTTPClient
import Logging

/// Builds providers by name from a ``ProviderConfiguration``: what the agent
/// uses to honour `agent/configured {provider, model}`.
///
/// ```swift
/// let registry = ProviderRegistry(environment: ProcessInfo.processInfo.environment)
/// print(registry.describe())
/// let provider = try registry.provider(named: registry.defaultProviderName)
/// ```
public struct ProviderRegistry: Sendable {
    /// The built-in providers.
    public static let providerNames = ["openai", "openai-responses", "anthropic", "echo"]

    public let configuration: ProviderConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger?
    private var custom: [String: any LLMProvider] = [:]

    public init(configuration: ProviderConfiguration, httpClient: HTTPClient = .llm, logger: Logger? = nil) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// A registry configured by `environment` (see ``ProviderConfiguration``); tests pass their own dictionary.
    public init(environment: [String: String], httpClient: HTTPClient = .llm, logger: Logger? = nil) {
        self.init(configuration: ProviderConfiguration(environment: environment), httpClient: httpClient, logger: logger)
    }

    /// This registry with `provider` available under its name, replacing a built-in one of the same name.
    public func adding(_ provider: any LLMProvider) -> ProviderRegistry {
        var copy = self
        copy.custom[provider.name] = provider
        return copy
    }

    /// Every name ``provider(named:)`` accepts.
    public var names: [String] {
        Self.providerNames + custom.keys.filter { !Self.providerNames.contains($0) }.sorted()
    }

    /// The provider agents use when they name none.
    public var defaultProviderName: String { configuration.defaultProvider }

    /// The model for `provider` when the agent names none.
    public func defaultModel(for provider: String) -> String {
        configuration.defaultModel(for: provider)
    }

    /// The provider called `name`.
    ///
    /// Throws a non-retryable ``LLMError`` for an unknown name or a provider
    /// whose API key is missing (a local OpenAI-compatible server set by
    /// `OPENAI_BASE_URL` needs none).
    public func provider(named name: String) throws(LLMError) -> any LLMProvider {
        if let provider = custom[name] { return provider }
        let configuration = configuration
        switch name {
        case "openai", "openai-responses":
            if configuration.openAIAPIKey == nil, configuration.openAIBaseURL == ProviderConfiguration.defaultOpenAIBaseURL {
                throw LLMError(
                    "\(name): OPENAI_API_KEY is not set; set it (or OPENAI_BASE_URL for a local server) and restart Spool",
                    retryable: false)
            }
            if name == "openai" {
                return OpenAIChatProvider(
                    baseURL: configuration.openAIBaseURL, apiKey: configuration.openAIAPIKey, httpClient: httpClient,
                    retryPolicy: configuration.retryPolicy, idleTimeout: configuration.idleTimeout, logger: logger)
            }
            return OpenAIResponsesProvider(
                baseURL: configuration.openAIBaseURL, apiKey: configuration.openAIAPIKey, httpClient: httpClient,
                retryPolicy: configuration.retryPolicy, idleTimeout: configuration.idleTimeout, logger: logger)
        case "anthropic":
            if configuration.anthropicAPIKey == nil, configuration.anthropicBaseURL == ProviderConfiguration.defaultAnthropicBaseURL {
                throw LLMError("anthropic: ANTHROPIC_API_KEY is not set; set it and restart Spool", retryable: false)
            }
            return AnthropicMessagesProvider(
                baseURL: configuration.anthropicBaseURL, apiKey: configuration.anthropicAPIKey, httpClient: httpClient,
                retryPolicy: configuration.retryPolicy, idleTimeout: configuration.idleTimeout, logger: logger)
        case "echo":
            return EchoProvider()
        default:
            throw LLMError("unknown LLM provider \"\(name)\"; use one of \(names.joined(separator: ", "))", retryable: false)
        }
    }

    /// The default provider: see ``ProviderConfiguration/defaultProvider``.
    public func defaultProvider() throws -> any LLMProvider {
        try provider(named: defaultProviderName)
    }

    /// A few lines for `spool serve` to print: the active provider and model,
    /// and how to use a real model. Never contains a key.
    public func describe() -> String {
        let configuration = configuration
        let active = defaultProviderName
        var lines: [String] = []
        if let preferred = configuration.preferredProvider, !Self.providerNames.contains(preferred) {
            lines.append("SPOOL_DEFAULT_PROVIDER=\(preferred) is not a provider (use \(Self.providerNames.joined(separator: ", "))).")
        }
        let openAI = "\(ProviderConfiguration.displayURL(configuration.openAIBaseURL))"
        let anthropic = "\(ProviderConfiguration.displayURL(configuration.anthropicBaseURL))"
        switch active {
        case "echo":
            lines.append(
                "LLM provider: echo (offline: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set). Agents answer \"You said: …\"; "
                    + "\"/tool NAME {json}\" calls a tool.")
            lines.append("To use a real model, set OPENAI_API_KEY or ANTHROPIC_API_KEY and restart; optionally SPOOL_DEFAULT_MODEL.")
            lines.append(
                "For a local or other OpenAI-compatible server (Ollama, vLLM, llama.cpp, OpenRouter), set OPENAI_BASE_URL "
                    + "(such as http://localhost:11434/v1) and use provider \"openai\".")
        case "openai", "openai-responses":
            let key = configuration.openAIAPIKey == nil ? "no OPENAI_API_KEY" : "OPENAI_API_KEY is set"
            lines.append("LLM provider: \(active), model \(defaultModel(for: active)), at \(openAI) (\(key)).")
        case "anthropic":
            let key = configuration.anthropicAPIKey == nil ? "no ANTHROPIC_API_KEY" : "ANTHROPIC_API_KEY is set"
            lines.append("LLM provider: anthropic, model \(defaultModel(for: active)), at \(anthropic) (\(key)).")
        default:
            lines.append("LLM provider: \(active), model \(defaultModel(for: active)).")
        }
        let usable = names.filter { $0 != active && (try? provider(named: $0)) != nil }
        if active != "echo" || !usable.isEmpty {
            lines.append(
                "Also available: \(usable.joined(separator: ", ")). An agent chooses with "
                    + "agent/configured {\"provider\": \"…\", \"model\": \"…\"}; SPOOL_DEFAULT_MODEL sets the default model.")
        }
        return lines.joined(separator: "\n")
    }
}
