import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// The agent loop against fake OpenAI- and Anthropic-compatible servers that stream like the real ones.
@Suite(.timeLimit(.minutes(2)))
struct AgentProviderLoopTests {
    @Test func aStreamedAnswerBecomesCoalescedDeltas() async throws {
        try await FakeLLMServer.with(replies: [.text("The build log says everything passed.", chunks: 8)]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/openai")
                try await agent.say(path, "summarise")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["The build log says everything passed."])
                let deltas = try await agent.events(path, ofType: "llm/output-delta").compactMap { $0.payload["text"]?.stringValue }
                #expect(deltas.joined() == "The build log says everything passed.")
                #expect(deltas.count < 8, "deltas are coalesced")
                let body = try #require(llm.requests.first?.body)
                #expect(body["messages"]?.arrayValue?.last?["content"] == "summarise")
                #expect(body["stream"] == true)
            }
        }
    }

    @Test func twoParallelToolCallsThenTheAnswer() async throws {
        let calls = [
            FakeToolCall(id: "call_a", name: "read_stream", arguments: ["path": "/agents/parallel", "limit": 1]),
            FakeToolCall(id: "call_b", name: "read_stream", arguments: ["path": "/agents/parallel", "after": 1]),
        ]
        try await FakeLLMServer.with(replies: [.toolCalls(calls, argumentChunks: 4), .text("Both read.")]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/parallel")
                try await agent.configure(path, ["tools": ["read_stream"]])
                try await agent.say(path, "read twice")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["Both read."])
                let requested = try await agent.events(path, ofType: "tool/call-requested")
                #expect(requested.map { $0.payload["callId"] } == ["call_a", "call_b"])
                #expect(requested.first?.payload["arguments"]?["limit"] == 1, "fragmented arguments were reassembled")
                #expect(try await agent.events(path, ofType: "tool/call-completed").count == 2)
                // The second request carries both results, after the assistant's tool calls.
                let second = try #require(llm.requests.last?.body["messages"]?.arrayValue)
                #expect(second.filter { $0["role"] == "tool" }.count == 2)
            }
        }
    }

    @Test func aNewInputInterruptsTheAnswerBeingStreamed() async throws {
        let slow = FakeLLMReply.text(String(repeating: "word ", count: 40), chunks: 40, delay: .milliseconds(50))
        try await FakeLLMServer.with(replies: [slow, .text("Answer to both.")]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/interrupt")
                try await agent.configure(path, ["debounceMs": 0])
                try await agent.say(path, "write a long essay")
                #expect(try await eventually { try await !agent.events(path, ofType: "llm/output-delta").isEmpty })
                try await agent.say(path, "actually, just say hi")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["Answer to both."])
                let cancelled = try #require(try await agent.events(path, ofType: "llm/request-cancelled").first)
                #expect(cancelled.payload["requestId"] == "req-1")
                let completed = try await agent.events(path, ofType: "llm/response-completed")
                #expect(completed.map { $0.payload["requestId"] } == ["req-2"], "the interrupted request never completes")
                let messages = try #require(llm.requests.last?.body["messages"]?.arrayValue)
                let contents = messages.compactMap { $0["content"]?.stringValue }
                #expect(contents.contains("actually, just say hi"))
                #expect(contents.contains("write a long essay"))
            }
        }
    }

    @Test func rateLimitedThenAnswered() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .text("Hello after a retry")]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/retry")
                try await agent.say(path, "hi")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["Hello after a retry"])
                #expect(llm.requestCount == 2)
                #expect(try await agent.events(path, ofType: "llm/request-failed").isEmpty)
            }
        }
    }

    @Test func aMalformedProviderStreamFailsTheRequest() async throws {
        try await FakeLLMServer.with(replies: [.malformedJSON]) { llm in
            try await withAgentServer(environment: llm.environment()) { agent in
                let path = try StreamPath("/agents/malformed")
                try await agent.say(path, "hi")
                #expect(try await eventually { try await !agent.events(path, ofType: "llm/request-failed").isEmpty })
                let failed = try #require(try await agent.events(path, ofType: "llm/request-failed").first)
                #expect(failed.payload["requestId"] == "req-1")
                #expect(failed.payload["error"]?.stringValue?.isEmpty == false)
                #expect(try await agent.events(path, ofType: "llm/response-completed").isEmpty)
            }
        }
    }

    @Test(arguments: [("anthropic", "ANTHROPIC_API_KEY is not set"), ("gemini", "unknown LLM provider \"gemini\"")])
    func aProviderThatCannotBeUsedFailsEachRequest(provider: String, reason: String) async throws {
        try await withAgentServer { agent in
            let path = try StreamPath("/agents/no-key")
            try await agent.configure(path, ["provider": .string(provider)])
            for (turn, input) in ["hi", "hello again"].enumerated() {
                try await agent.say(path, input)
                #expect(try await eventually { try await agent.events(path, ofType: "llm/request-failed").count == turn + 1 })
            }
            let started = try await agent.events(path, ofType: "llm/request-started")
            #expect(started.map { $0.payload["requestId"] } == ["req-1", "req-2"])
            #expect(started.map { $0.payload["provider"] } == [.string(provider), .string(provider)])
            let failed = try await agent.events(path, ofType: "llm/request-failed")
            #expect(failed.map { $0.payload["requestId"] } == ["req-1", "req-2"])
            #expect(failed.allSatisfy { $0.payload["retryable"] == false })
            #expect(failed.allSatisfy { $0.payload["error"]?.stringValue?.contains(reason) == true })
            // A failure is not an input: nothing starts again until someone says something.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await agent.events(path, ofType: "llm/request-started").count == 2)
        }
    }

    /// A configuration the agent cannot fully use applies what it can and says what it could not.
    @Test func aMistypedConfigurationIsReported() async throws {
        try await withAgentServer { agent in
            let path = try StreamPath("/agents/mistyped")
            try await agent.configure(path, ["provider": 5, "tools": ["teleport"], "debounceMs": 0])
            #expect(try await eventually { try await !agent.events(path, ofType: "spool/processor-failed").isEmpty })
            let failure = try #require(try await agent.events(path, ofType: "spool/processor-failed").first)
            #expect(failure.payload["processor"] == "agent" && failure.payload["sourceOffset"] == 1)
            let message = failure.payload["error"]?.stringValue ?? ""
            #expect(message.contains("'provider' must be a string") && message.contains("no tool is called teleport"), "\(message)")
            try await agent.say(path, "hi")
            #expect(try await agent.waitForAnswers(path, count: 1) == ["You said: hi"])
        }
    }

    @Test func anthropicAgentsWork() async throws {
        try await FakeLLMServer.with(replies: [.text("Bonjour", chunks: 2)]) { llm in
            try await withAgentServer(environment: llm.environment(defaultProvider: "anthropic")) { agent in
                let path = try StreamPath("/agents/claude")
                try await agent.configure(path, ["provider": "anthropic", "model": "claude-test", "systemPrompt": "Be French."])
                try await agent.say(path, "hello")
                #expect(try await agent.waitForAnswers(path, count: 1) == ["Bonjour"])
                let request = try #require(llm.requests.first)
                #expect(request.api == .anthropicMessages)
                #expect(request.body["system"] == "Be French.")
                #expect(request.body["model"] == "claude-test")
            }
        }
    }
}
