import SpoolAgent
import SpoolCore
import SpoolTesting
import Testing

/// A provider that falls silent with its connection open: the idle timeout ends the
/// attempt, as a lost connection would, instead of leaving the caller waiting forever.
@Suite(.timeLimit(.minutes(3)))
struct ProviderIdleTimeoutTests {
    /// Short, yet long enough for the fake server's headers under the whole suite's load.
    static let idleTimeout = Duration.seconds(1)

    @Test func anAnswerThatStallsMidwayFails() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2, text: "aaaa bbbb cccc dddd", chunks: 4)]) { server in
            let provider = server.openAIChatProvider(idleTimeout: Self.idleTimeout)
            let (deltas, failure) = try await withTimeLimit(stallPatience) {
                var deltas: [String] = []
                do {
                    for try await event in try await provider.stream(simpleRequest()) {
                        if case .textDelta(let text) = event { deltas.append(text) }
                    }
                    return (deltas, nil as LLMError?)
                } catch let error as LLMError {
                    return (deltas, error)
                }
            }
            #expect(deltas.joined() == "aaaa bbbb ", "the chunks sent before the stall were delivered")
            let error = try #require(failure, "the stalled answer ended without an error")
            #expect(error.message == "openai: the provider sent nothing for 1 s (while streaming the answer; SPOOL_LLM_IDLE_TIMEOUT)")
            #expect(error.retryable, "retryable, as a connection that broke mid-answer is")
            #expect(server.requestCount == 1, "output was delivered: the request is not sent again")
            // Whether the connection closes is checked through the agent (AgentStalledProviderTests):
            // here, in the whole suite of a clean clone, the fake saw no hang-up within 30 s twice,
            // though it does alone. Not understood yet; see the twenty-second session's note.
        }
    }

    @Test func aStallBeforeAnyOutputIsRetried() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 0), .text("Second try")]) { server in
            let provider = server.anthropicProvider(idleTimeout: Self.idleTimeout)
            let answer = try await withTimeLimit(stallPatience) { try await provider.stream(simpleRequest()).response() }
            #expect(answer.content == "Second try")
            #expect(server.requestCount == 2)
        }
    }

    @Test func aProviderThatNeverAnswersIsBounded() async throws {
        try await FakeLLMServer.with(replies: [.neverAnswered, .neverAnswered, .neverAnswered]) { server in
            let provider = server.openAIResponsesProvider(idleTimeout: Self.idleTimeout)
            let failure = try await withTimeLimit(stallPatience) {
                await #expect(throws: LLMError.self) { try await provider.stream(simpleRequest()) }
            }
            let error = try #require(failure)
            #expect(
                error.message
                    == "openai-responses: the provider sent nothing for 1 s (no response from 127.0.0.1:\(server.port); SPOOL_LLM_IDLE_TIMEOUT)")
            #expect(error.retryable)
            #expect(server.requestCount == FakeLLMServer.testRetryPolicy.attempts, "each attempt waited for the idle timeout, then tried again")
        }
    }

    @Test func aBodyLeftOpenAfterTheAnswerDoesNotHoldItUp() async throws {
        // Every chunk, the completion included, then silence: the body never ends.
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2, text: "All of it", chunks: 2)]) { server in
            let provider = server.openAIChatProvider(idleTimeout: Self.idleTimeout)
            let answer = try await withTimeLimit(stallPatience) { try await provider.stream(simpleRequest()).response() }
            #expect(answer.content == "All of it")
        }
    }
}
