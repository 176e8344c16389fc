import SpoolClient
import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

@testable import SpoolAgent

/// A provider that stalls with its connection open: the turn fails after the idle timeout.
@Suite(.timeLimit(.minutes(2)))
struct AgentStalledProviderTests {
    /// Two chunks, then silence: `llm/request-failed` after `SPOOL_LLM_IDLE_TIMEOUT`, not never.
    @Test func aStalledAnswerFailsTheRequest() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2)]) { llm in
            var environment = llm.environment()
            environment["SPOOL_LLM_IDLE_TIMEOUT"] = "1.5"
            try await withAgentServer(environment: environment) { agent in
                let path = try StreamPath("/agents/stalled")
                try await agent.configure(path, ["debounceMs": 0])
                let clock = ContinuousClock()
                let started = clock.now
                try await agent.say(path, "hello?")
                #expect(try await eventually(timeout: .seconds(10)) { try await !agent.events(path, ofType: "llm/request-failed").isEmpty })
                #expect(clock.now - started < .seconds(10))
                let failed = try #require(try await agent.events(path, ofType: "llm/request-failed").first)
                #expect(failed.payload["requestId"] == "req-1")
                #expect(
                    failed.payload["error"]
                        == "openai: the provider sent nothing for 1.5 s (while streaming the answer; SPOOL_LLM_IDLE_TIMEOUT)")
                #expect(failed.payload["retryable"] == true)
                #expect(try await agent.events(path, ofType: "llm/response-completed").isEmpty)
                #expect(llm.requestCount == 1)
                #expect(await llm.waitForHangUp(ofRequest: 1, timeout: .seconds(2)), "the stalled connection was left open")
            }
        }
    }
}
