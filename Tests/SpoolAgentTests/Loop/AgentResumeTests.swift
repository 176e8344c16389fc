import Logging
import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

@testable import SpoolAgent

/// Interrupted and superseded requests, against the runtime itself: a request that no
/// job of this node streams is sent again, one that a job streams is left alone, and
/// one a newer job supersedes is cancelled.
@Suite(.timeLimit(.minutes(2)))
struct AgentResumeTests {
    /// A resume while this node streams the turn's request changes nothing: the request is
    /// neither cancelled nor sent twice.
    @Test func aResumeLeavesARequestStreamedHereAlone() async throws {
        let slow = FakeLLMReply.text(String(repeating: "slow ", count: 30), chunks: 30, delay: .milliseconds(50))
        try await FakeLLMServer.with(replies: [slow, .text("Asked twice.")]) { llm in
            try await withAgentRuntime(environment: llm.environment()) { runtime, store in
                let path = try StreamPath("/agents/streaming-here")
                try await store.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                try await store.append(AppendInput(type: "agent/input-added", payload: ["content": "long answer please"]), to: path)
                #expect(try await eventually { try await !events(store, path, ofType: "llm/output-delta").isEmpty })

                try await runtime.resumeTurn(of: path)
                // 1.5 s alone; under the whole suite's load it has taken over 10 s.
                #expect(try await eventually(timeout: .seconds(60)) { try await !events(store, path, ofType: "llm/response-completed").isEmpty })
                #expect(try await events(store, path, ofType: "llm/request-cancelled").isEmpty)
                let completed = try await events(store, path, ofType: "llm/response-completed")
                #expect(completed.map { $0.payload["requestId"] } == ["req-1"])
                #expect(llm.requestCount == 1)
            }
        }
    }

    /// A request started before a restart (its `llm/request-started` stored, nothing streaming
    /// it any more) is cancelled as "server restarted" and sent again when the agent starts;
    /// the event that had asked for it, handled again, does not ask the provider a second time.
    /// A graceful shutdown does not wait for a provider that stalls: the request under way is
    /// cancelled after the grace, and the next start sends it again.
    @Test func aShutdownDoesNotWaitForAStalledRequest() async throws {
        // Stalls 30 s (the fake server finishes it before it closes); the shutdown takes the 2 s grace.
        let stalled = FakeLLMReply.text("never finished", chunks: 2, delay: .seconds(15))
        try await FakeLLMServer.with(replies: [stalled, .text("Answered after the restart.")]) { llm in
            let directory = TestServer.temporaryDirectory()
            let path = try StreamPath("/agents/stalled")
            let clock = ContinuousClock()
            var shutdownStarted = clock.now
            try await withAgentRuntime(environment: llm.environment(), directory: directory) { _, store in
                try await store.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                try await store.append(AppendInput(type: "agent/input-added", payload: ["content": "hello?"]), to: path)
                #expect(try await eventually { try await !events(store, path, ofType: "llm/request-started").isEmpty })
                shutdownStarted = clock.now
            }
            #expect(clock.now - shutdownStarted < .seconds(12), "the shutdown waited for the stalled request")
            try await withAgentRuntime(environment: llm.environment(), directory: directory) { _, store in
                let answered = try await eventually(timeout: .seconds(30)) { try await !events(store, path, ofType: "llm/response-completed").isEmpty }
                #expect(answered, "the request cut short was not sent again")
            }
        }
    }

    @Test func aRequestNobodyStreamsIsSentAgainAtStart() async throws {
        try await FakeLLMServer.with(replies: [.text("Resumed answer."), .text("Asked twice.")]) { llm in
            let environment = llm.environment()
            let directory = TestServer.temporaryDirectory()
            let path = try StreamPath("/agents/orphan")
            // What a node killed mid-request leaves: the request's start, and no checkpoint past the input.
            let registry = ProviderRegistry(environment: environment)
            let provider = registry.defaultProviderName
            let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
            _ = try await SQLiteEventStore(directory: directory, logger: logger).append(
                [
                    AppendInput(type: "agent/configured", payload: ["debounceMs": 0]),
                    AppendInput(type: "agent/input-added", payload: ["content": "long answer please"]),
                    AppendInput(
                        type: AgentEvents.requestStarted,
                        payload: [
                            "requestId": "req-1", "provider": .string(provider),
                            "model": .string(registry.defaultModel(for: provider)), "inputOffset": 2,
                        ], idempotencyKey: "agent:req-1:started"),
                ], to: path)

            try await withAgentRuntime(environment: environment, directory: directory) { _, store in
                // Under the whole suite's load this takes 10–25 s (the run first catches up and saves its progress).
                #expect(try await eventually(timeout: .seconds(60)) { try await !events(store, path, ofType: "llm/response-completed").isEmpty })
                try await Task.sleep(for: .milliseconds(300))  // room for a wrong second request to show
                let cancelled = try await events(store, path, ofType: "llm/request-cancelled")
                #expect(cancelled.map { $0.payload["requestId"] } == ["req-1"])
                #expect(cancelled.first?.payload["reason"] == "server restarted")
                let completed = try await events(store, path, ofType: "llm/response-completed")
                #expect(completed.map { $0.payload["requestId"] } == ["req-2"])
                #expect(completed.first?.payload["content"] == "Resumed answer.")
                #expect(llm.requestCount == 1, "only the resent request reached the provider")
            }
        }
    }

    /// A job handed a state from before the request an older job of this node is starting
    /// (a second input arrived meanwhile, folded before that request started) computes that
    /// request's number. The older request is cancelled as a new input cancels one, and the
    /// newer job answers from the state at the head: the turn does not stall.
    @Test func aJobWithAnOlderStateSupersedesTheRequestThatTookItsNumber() async throws {
        let slow = FakeLLMReply.text(String(repeating: "slow ", count: 40), chunks: 40, delay: .milliseconds(50))
        try await FakeLLMServer.with(replies: [slow, .text("Both answered.")]) { llm in
            try await withAgentRuntime(environment: llm.environment()) { runtime, store in
                // Past the resume at start, which would otherwise also look at the turn.
                #expect(await eventually { runtime.resumedRun.withLock { $0 } != nil })
                let path = try StreamPath("/agents/superseded")
                try await store.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                try await store.append(AppendInput(type: "agent/input-added", payload: ["content": "first"]), to: path)
                #expect(try await eventually { try await !events(store, path, ofType: "llm/output-delta").isEmpty })

                // The state as of the input (offset 2), before `req-1` started: what such a job holds.
                let (_, json) = try await runtime.host.state(processor: "agent", stream: path, at: 2)
                let before = try JSONValue.decode(AgentState.self, from: json)
                #expect(before.requestCount == 0)
                runtime.queue.submitRequest(path, debounceMs: 0, state: before)

                #expect(try await eventually(timeout: .seconds(20)) {
                    try await !events(store, path, ofType: "llm/response-completed").isEmpty
                })
                let cancelled = try await events(store, path, ofType: "llm/request-cancelled")
                #expect(cancelled.map { $0.payload["requestId"] } == ["req-1"])
                #expect(cancelled.first?.payload["reason"] == "new input")
                let completed = try await events(store, path, ofType: "llm/response-completed")
                #expect(completed.map { $0.payload["requestId"] } == ["req-2"])
                #expect(completed.first?.payload["content"] == "Both answered.")
                #expect(llm.requestCount == 2)
            }
        }
    }
}
