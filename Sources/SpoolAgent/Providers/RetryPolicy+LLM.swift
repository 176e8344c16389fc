import SpoolCore

extension RetryPolicy {
    /// LLM requests: 4 attempts, waiting 1 s, 2 s, 4 s (at most 30 s when the provider asks for longer).
    public static let llmDefault = RetryPolicy(attempts: 4, initialDelay: .seconds(1), maximumDelay: .seconds(30))
}
