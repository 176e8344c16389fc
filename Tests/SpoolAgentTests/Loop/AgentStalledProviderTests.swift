import SpoolClient
import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

@testable import SpoolAgent

/// A provider that stalls with its connection open: the turn fails after the idle timeout,
/// and a cancellation closes the request at once, even during a wait between retries.
@Suite(.timeLimit(.minutes(3)))
struct AgentStalledProviderTests {

    /// Two chunks, then silence: `llm/request-failed` after `SPOOL_LLM_IDLE_TIMEOUT`, not never.
    @Test func aStalledAnswerFailsTheRequest() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2)]) { llm in
            var environment = llm.environment()
            environment["SPOOL_LLM_IDLE_TIMEOUT"] = "1.5"
            try await withAgentServer(environment: environment) { agent in
                let path = try StreamPath("/agents/stalled")
                try await agent.configure(path, ["debounceMs": 0])
                try await agent.say(path, "hello?")
                #expect(try await eventually(timeout: stallPatience) { try await !agent.events(path, ofType: "llm/request-failed").isEmpty })
                let failed = try #require(try await agent.events(path, ofType: "llm/request-failed").first)
                #expect(failed.payload["requestId"] == "req-1")
                #expect(
                    failed.payload["error"]
                        == "openai: the provider sent nothing for 1.5 s (while streaming the answer; SPOOL_LLM_IDLE_TIMEOUT)")
                #expect(failed.payload["retryable"] == true)
                #expect(try await agent.events(path, ofType: "llm/response-completed").isEmpty)
                #expect(llm.requestCount == 1)
                #expect(await llm.waitForHangUp(ofRequest: 1, timeout: stallPatience), "the stalled connection was left open")
            }
        }
    }

    /// `llm/request-cancelled` closes the stalled request's connection at once, and the request appends nothing more.
    @Test func cancellingAStalledRequestClosesItsConnection() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2)]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/cancelled")
                try await agent.configure(path, ["debounceMs": 0])
                try await agent.say(path, "hello?")
                #expect(await llm.waitForStall(ofRequest: 1))
                let cancelled = try await agent.client.append(
                    AppendInput(type: "llm/request-cancelled", payload: ["requestId": "req-1", "reason": "stopped by a person"]),
                    to: path)
                #expect(await llm.waitForHangUp(ofRequest: 1, timeout: stallPatience), "the cancelled request's connection stayed open")
                try await Task.sleep(for: .milliseconds(300))  // room for a wrong event to show
                let after = try await agent.events(path).filter {
                    $0.offset > cancelled.offset && $0.type.hasPrefix("llm/") && $0.payload["requestId"] == "req-1"
                }
                #expect(after.isEmpty, "\(after.map(\.type))")
            }
        }
    }

    /// Text the model sent before it paused is shown (as `llm/output-delta`) after the coalescing
    /// delay, not held until more text comes, which here is never.
    @Test func textBeforeAPauseIsShownWithoutWaitingForMore() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2, text: "Thinking it over and then some")]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/pausing")
                try await agent.configure(path, ["debounceMs": 0])
                try await agent.say(path, "hello?")
                #expect(await llm.waitForStall(ofRequest: 1))
                let shown = try await eventually(timeout: stallPatience) { try await !agent.events(path, ofType: "llm/output-delta").isEmpty }
                #expect(shown, "the text before the pause was held back")
                let text = try await agent.events(path, ofType: "llm/output-delta").compactMap { $0.payload["text"]?.stringValue }.joined()
                #expect(!text.isEmpty && "Thinking it over and then some".hasPrefix(text), "\(text)")
                #expect(try await agent.events(path, ofType: "llm/response-completed").isEmpty)
            }
        }
    }

    /// A new input supersedes a stalled request: its connection closes at once, and the new request answers.
    @Test func aNewInputClosesTheStalledRequest() async throws {
        try await FakeLLMServer.with(replies: [.stalled(afterChunks: 2), .text("Answered.")]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/superseded")
                try await agent.configure(path, ["debounceMs": 0])
                try await agent.say(path, "hello?")
                #expect(await llm.waitForStall(ofRequest: 1))
                try await agent.say(path, "are you there?")
                #expect(await llm.waitForHangUp(ofRequest: 1, timeout: stallPatience), "the superseded request's connection stayed open")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["Answered."])
                let cancelled = try await agent.events(path, ofType: "llm/request-cancelled")
                #expect(cancelled.map { $0.payload["requestId"] } == ["req-1"])
            }
        }
    }

    /// A cancellation while the request waits to be sent again (after a 503) ends the wait: no
    /// further attempt reaches the provider, and the request does not fail afterwards.
    @Test func cancellingDuringARetryWaitStopsTheRetries() async throws {
        try await FakeLLMServer.with(fallback: { _ in .httpError(status: 503, message: "Overloaded") }) { llm in
            var configuration = ProviderConfiguration(environment: llm.environment())
            // A wait far longer than the test's own patience, so only the cancellation can end it.
            configuration.retryPolicy = RetryPolicy(attempts: 10, initialDelay: .seconds(60), maximumDelay: .seconds(60))
            try await withAgentRuntime(providers: ProviderRegistry(configuration: configuration)) { runtime, store in
                // Past the resume at start, which would send an unanswered input whose request was cancelled again.
                let resumed = await eventually { runtime.resumedAtStart }
                #expect(resumed)
                let path = try StreamPath("/agents/retrying")
                try await store.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                try await store.append(AppendInput(type: "agent/input-added", payload: ["content": "hello?"]), to: path)
                #expect(await llm.waitForRequests(1))
                #expect(runtime.queue.isStreaming(path, requestId: "req-1"))
                try await store.append(AppendInput(type: "llm/request-cancelled", payload: ["requestId": "req-1"]), to: path)
                let stopped = await eventually(timeout: stallPatience) { !runtime.queue.isStreaming(path, requestId: "req-1") }
                #expect(stopped, "the request's job still waits to retry")
                try await Task.sleep(for: .milliseconds(300))  // room for a wrong attempt or event to show
                #expect(llm.requestCount == 1, "the provider was asked again after the cancellation")
                #expect(try await events(store, path, ofType: "llm/request-failed").isEmpty)
            }
        }
    }
}
