/// A language model API that streams answers and asks for tool calls.
///
/// Providers are values: cheap to build, safe to share, and stateless between
/// requests. The agent gets one from ``ProviderRegistry`` by name.
///
/// ```swift
/// let provider = try ProviderRegistry(environment: ProcessInfo.processInfo.environment).provider(named: "openai")
/// for try await event in try await provider.stream(request) {
///     if case .textDelta(let text) = event { print(text, terminator: "") }
/// }
/// ```
public protocol LLMProvider: Sendable {
    /// The registry name: `openai`, `openai-responses`, `anthropic`, `echo`.
    var name: String { get }

    /// Sends `request` and returns the answer as it is generated.
    ///
    /// The request is sent (and retried on 429, 5xx, connection errors and a
    /// provider silent for its idle timeout) before this returns, so an error
    /// the provider reports up front is thrown here as an ``LLMError``. The
    /// returned stream is read from the network as it is iterated and ends with
    /// exactly one `.completed`; cancelling the task that sends or reads closes
    /// the HTTP request at once.
    func stream(_ request: LLMRequest) async throws -> LLMStream
}
