import Foundation
import SpoolCore

/// Which model providers Spool can use, and their defaults, read from the
/// environment in one place. Keys are never printed: `description` and
/// `dump` show whether a key is set, not what it is.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `OPENAI_API_KEY` | key for `openai` and `openai-responses` | none |
/// | `OPENAI_BASE_URL` | any OpenAI-compatible server (vLLM, llama.cpp, Ollama, OpenRouter) | `https://api.openai.com/v1` |
/// | `ANTHROPIC_API_KEY` | key for `anthropic` | none |
/// | `ANTHROPIC_BASE_URL` | Anthropic API root | `https://api.anthropic.com` |
/// | `SPOOL_DEFAULT_MODEL` | model of the default provider when an agent names none | per provider |
/// | `SPOOL_DEFAULT_PROVIDER` | provider when an agent names none | `openai` with an OpenAI key, else `anthropic` with an Anthropic key, else `echo` |
/// | `SPOOL_LLM_IDLE_TIMEOUT` | seconds a provider may send nothing, per attempt: before its answer starts, and between two chunks of it | `120` |
public struct ProviderConfiguration: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public static let defaultOpenAIBaseURL = "https://api.openai.com/v1"
    public static let defaultAnthropicBaseURL = "https://api.anthropic.com"
    /// The model each provider uses when neither the agent nor `SPOOL_DEFAULT_MODEL` names one.
    public static let builtInModels = [
        "openai": "gpt-4.1-mini", "openai-responses": "gpt-4.1-mini", "anthropic": "claude-sonnet-4-5", "echo": "echo",
    ]

    public var openAIAPIKey: String?
    public var openAIBaseURL: String
    public var anthropicAPIKey: String?
    public var anthropicBaseURL: String
    /// `SPOOL_DEFAULT_MODEL`
    public var defaultModel: String?
    /// `SPOOL_DEFAULT_PROVIDER`; chosen from the keys present when `nil`.
    public var preferredProvider: String?
    /// Retries of every provider built from this configuration.
    public var retryPolicy: RetryPolicy
    /// `SPOOL_LLM_IDLE_TIMEOUT`: how long a provider may send nothing, per attempt, before the
    /// attempt fails (retryably) — while Spool waits for the answer to start, and between two
    /// chunks of a streamed answer. A stalled provider that keeps its connection open would
    /// otherwise hold the agent's turn forever.
    public var idleTimeout: Duration
    /// `SPOOL_LLM_IDLE_TIMEOUT` when it was set to something that is not a number of seconds above 0
    /// (``idleTimeout`` then keeps its default).
    public var invalidIdleTimeout: String?

    /// How long a provider may send nothing when `SPOOL_LLM_IDLE_TIMEOUT` is not set: long enough for
    /// a reasoning model's pauses, short enough that a dead stream ends the turn within minutes.
    public static let defaultIdleTimeout = Duration.seconds(120)

    /// No keys, default URLs: only `echo` works.
    public init() {
        openAIBaseURL = Self.defaultOpenAIBaseURL
        anthropicBaseURL = Self.defaultAnthropicBaseURL
        retryPolicy = .llmDefault
        idleTimeout = Self.defaultIdleTimeout
    }

    /// Reads the variables in the table above from `environment`; blank values count as unset.
    ///
    /// ```swift
    /// let configuration = ProviderConfiguration(environment: ProcessInfo.processInfo.environment)
    /// ```
    public init(environment: [String: String]) {
        self.init()
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        openAIAPIKey = value("OPENAI_API_KEY")
        openAIBaseURL = value("OPENAI_BASE_URL") ?? Self.defaultOpenAIBaseURL
        anthropicAPIKey = value("ANTHROPIC_API_KEY")
        anthropicBaseURL = value("ANTHROPIC_BASE_URL") ?? Self.defaultAnthropicBaseURL
        defaultModel = value("SPOOL_DEFAULT_MODEL")
        preferredProvider = value("SPOOL_DEFAULT_PROVIDER")?.lowercased()
        if let text = value("SPOOL_LLM_IDLE_TIMEOUT") {
            if let seconds = Self.seconds(text) { idleTimeout = seconds } else { invalidIdleTimeout = text }
        }
    }

    /// A number of seconds above 0 (`90`, `0.5`), at most a day.
    static func seconds(_ text: String) -> Duration? {
        guard let seconds = Double(text), seconds > 0, seconds <= 86_400 else { return nil }
        return .milliseconds(seconds * 1000)
    }

    /// What is wrong with the variables read, for `spool serve` to refuse; `nil` when nothing is.
    public var problem: String? {
        invalidIdleTimeout.map { "SPOOL_LLM_IDLE_TIMEOUT must be a number of seconds above 0 and at most 86400 (such as 120 or 0.5), not '\($0)'" }
    }

    /// The provider agents use when they name none.
    public var defaultProvider: String {
        if let preferredProvider, ProviderRegistry.providerNames.contains(preferredProvider) { return preferredProvider }
        if openAIAPIKey != nil { return "openai" }
        if anthropicAPIKey != nil { return "anthropic" }
        return "echo"
    }

    /// The model for `provider` when the agent names none: `SPOOL_DEFAULT_MODEL`
    /// for the default provider (and its OpenAI sibling), else the built-in one.
    public func defaultModel(for provider: String) -> String {
        if let defaultModel, Self.family(provider) == Self.family(defaultProvider) { return defaultModel }
        return Self.builtInModels[provider] ?? defaultModel ?? "default"
    }

    static func family(_ provider: String) -> String {
        provider.hasPrefix("openai") ? "openai" : provider
    }

    public var description: String {
        "ProviderConfiguration(default: \(defaultProvider), OPENAI_API_KEY: \(openAIAPIKey == nil ? "unset" : "set"), "
            + "OPENAI_BASE_URL: \(Self.displayURL(openAIBaseURL)), ANTHROPIC_API_KEY: \(anthropicAPIKey == nil ? "unset" : "set"), "
            + "ANTHROPIC_BASE_URL: \(Self.displayURL(anthropicBaseURL)), SPOOL_DEFAULT_MODEL: \(defaultModel ?? "unset"), "
            + "SPOOL_LLM_IDLE_TIMEOUT: \(idleTimeout.secondsText))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "defaultProvider": defaultProvider, "openAIAPIKey": openAIAPIKey == nil ? "unset" : "set",
                "openAIBaseURL": Self.displayURL(openAIBaseURL), "anthropicAPIKey": anthropicAPIKey == nil ? "unset" : "set",
                "anthropicBaseURL": Self.displayURL(anthropicBaseURL), "defaultModel": defaultModel as Any,
                "idleTimeout": idleTimeout,
            ])
    }

    /// `url` without any `user:password@` part.
    static func displayURL(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        components.user = nil
        components.password = nil
        return components.string ?? url
    }
}
