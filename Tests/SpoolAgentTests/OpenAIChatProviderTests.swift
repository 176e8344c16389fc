import AsyncHTTPClient
import SpoolAgent
import SpoolCore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(3))) struct OpenAIChatProviderTests {
    @Test func streamsAPlainAnswerWithUsage() async throws {
        try await FakeLLMServer.with(replies: [.text("Hello there, how can I help?", chunks: 4, usage: FakeUsage(inputTokens: 31, outputTokens: 7))]) { server in
            let answer = try await collect(try await server.openAIChatProvider().stream(simpleRequest()))
            #expect(answer.deltas.count == 4)
            #expect(answer.deltas.joined() == "Hello there, how can I help?")
            #expect(answer.completions.count == 1)
            #expect(answer.response == LLMResponse(
                content: "Hello there, how can I help?", finishReason: .stop, usage: TokenUsage(inputTokens: 31, outputTokens: 7)))
        }
    }

    @Test func assemblesTwoParallelToolCallsFromFragments() async throws {
        let reply = FakeLLMReply.toolCalls(
            [FakeToolCall(id: "call_w", name: "get_weather", arguments: weatherCall),
             FakeToolCall(id: "call_r", name: "read_stream", arguments: readCall)],
            argumentChunks: 5)
        try await FakeLLMServer.with(replies: [reply]) { server in
            let answer = try await collect(try await server.openAIChatProvider().stream(simpleRequest()))
            #expect(answer.started.map(\.id) == ["call_w", "call_r"])
            #expect(answer.started.map(\.name) == ["get_weather", "read_stream"])
            #expect(answer.deltas.isEmpty)
            let response = try #require(answer.response)
            #expect(response.finishReason == .toolCalls)
            #expect(response.toolCalls == [
                ToolCall(id: "call_w", name: "get_weather", arguments: weatherCall),
                ToolCall(id: "call_r", name: "read_stream", arguments: readCall),
            ])
        }
    }

    @Test func retriesARateLimitThenSucceeds() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .httpError(status: 503, message: "busy"), .text("Finally")]) { server in
            let response = try await server.openAIChatProvider().stream(simpleRequest()).response()
            #expect(response.content == "Finally")
            #expect(server.requestCount == 3)
            #expect(server.requests.map(\.body) == Array(repeating: server.requests[0].body, count: 3))
        }
    }

    @Test func givesUpAfterTheLastAttemptWithARetryableError() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .rateLimited, .rateLimited, .text("too late")]) { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.openAIChatProvider().stream(simpleRequest()).response()
            }
            #expect(error?.status == 429)
            #expect(error?.retryable == true)
            #expect(error?.message.contains("Rate limit reached") == true)
            #expect(server.requestCount == 3)
        }
    }

    @Test func failsAtOnceOnABadRequestWithTheProvidersMessage() async throws {
        try await FakeLLMServer.with(replies: [.httpError(status: 400, message: "Unsupported parameter: 'max_tokens'."), .text("never")]) { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.openAIChatProvider().stream(simpleRequest()).response()
            }
            #expect(error?.status == 400)
            #expect(error?.retryable == false)
            #expect(error?.message == "openai: HTTP 400: invalid_request_error: Unsupported parameter: 'max_tokens'. [request req_fake1]")
            #expect(server.requestCount == 1)
        }
    }

    @Test func neverShowsTheAPIKey() async throws {
        let key = "sk-secret-0123456789"
        try await FakeLLMServer.with(replies: [.httpError(status: 401, message: "Incorrect API key provided: \(key).")]) { server in
            let provider = server.openAIChatProvider(apiKey: key)
            let error = await #expect(throws: LLMError.self) { try await provider.stream(simpleRequest()).response() }
            #expect(error?.message.contains(key) == false)
            #expect(error?.message.contains("OPENAI_API_KEY") == true)
            #expect(!String(describing: provider).contains(key))
            #expect(!String(reflecting: provider).contains(key))
            #expect(server.requests.first?.header("Authorization") == "Bearer \(key)")
        }
    }

    @Test func reportsAMalformedStream() async throws {
        try await FakeLLMServer.with(replies: [.malformedJSON, .truncatedStream]) { server in
            let provider = server.openAIChatProvider()
            let badJSON = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(badJSON?.message.hasPrefix("openai: malformed stream: a data line is not valid JSON") == true)
            #expect(badJSON?.retryable == false)
            let truncated = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(truncated?.message == "openai: malformed stream: the response ended before data: [DONE]")
            #expect(server.requestCount == 2)
        }
    }

    @Test func retriesAnErrorInTheStreamBeforeAnyOutput() async throws {
        try await FakeLLMServer.with(replies: [.overloadedInStream, .text("Recovered")]) { server in
            let answer = try await collect(try await server.openAIChatProvider().stream(simpleRequest()))
            #expect(answer.deltas.joined() == "Recovered")
            #expect(server.requestCount == 2)
        }
    }

    @Test func sendsTheConversationInChatCompletionsShape() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            _ = try await server.openAIChatProvider().stream(sampleConversation).response()
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/chat/completions")
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("authorization") == "Bearer sk-test-key")
            let expected: JSONValue = [
                "model": "test-model",
                "messages": [
                    ["role": "system", "content": "You are terse."],
                    ["role": "user", "content": "Weather in Paris?"],
                    [
                        "role": "assistant", "content": "Checking.",
                        "tool_calls": [
                            ["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": "{\"city\":\"Paris\"}"]]
                        ],
                    ],
                    ["role": "tool", "tool_call_id": "call_1", "content": "{\"celsius\":21}"],
                    ["role": "developer", "content": "Answer in one line."],
                    ["role": "user", "content": "And now?"],
                ],
                "tools": [
                    ["type": "function", "function": ["name": "get_weather", "description": "Current weather of a city.", "parameters": sampleTools[0].parameters]],
                    ["type": "function", "function": ["name": "read_stream", "description": "Reads events of a stream.", "parameters": sampleTools[1].parameters]],
                ],
                "temperature": 0.5,
                "max_completion_tokens": 256,
                "stream": true,
                "stream_options": ["include_usage": true],
            ]
            #expect(request.body == expected)
        }
    }

    @Test func speaksToCompatibleServersInTheirDialect() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            let provider = OpenAIChatProvider(baseURL: server.openAIBaseURL + "/", apiKey: nil, retryPolicy: .none)
            _ = try await provider.stream(sampleConversation).response()
            let request = try #require(server.requests.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.header("authorization") == nil)
            #expect(request.body["max_tokens"] == 256)
            #expect(request.body["max_completion_tokens"] == nil)
            #expect(request.body["messages"]?.arrayValue?[4] == ["role": "system", "content": "Answer in one line."])
        }
    }

    @Test func anErroredToolResultSaysSo() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            let request = LLMRequest(
                model: "m",
                messages: [
                    .user("go"), .assistant(content: "", toolCalls: [ToolCall(id: "c", name: "read_stream")]),
                    .toolResult(ToolResult(callId: "c", name: "read_stream", output: "no such stream", isError: true)),
                ])
            _ = try await server.openAIChatProvider().stream(request).response()
            let messages = try #require(server.requests.first?.body["messages"]?.arrayValue)
            #expect(messages[1]["content"] == .null)
            #expect(messages[1]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == "{}")
            #expect(messages[2] == ["role": "tool", "tool_call_id": "c", "content": "Error: no such stream"])
        }
    }

    @Test func cancellingTheReaderStopsTheRequest() async throws {
        // The whole answer takes 10 s; ending well before that proves cancellation stopped it.
        let slow = FakeLLMReply.text(String(repeating: "word ", count: 100), chunks: 100, delay: .milliseconds(100))
        try await FakeLLMServer.with(replies: [slow]) { server in
            let provider = server.openAIChatProvider()
            let clock = ContinuousClock()
            let start = clock.now
            let reader = Task {
                var deltas = 0
                for try await event in try await provider.stream(simpleRequest()) {
                    if case .textDelta = event { deltas += 1 }
                }
                return deltas
            }
            #expect(await server.waitForRequests(1))
            try await Task.sleep(for: .milliseconds(250))
            reader.cancel()
            let result = await reader.result
            #expect(clock.now - start < .seconds(6))
            #expect(throws: (any Error).self) { try result.get() }
        }
    }

    @Test func retriesWhenTheServerCannotBeReached() async throws {
        let port = try await FakeLLMServer.with { server in server.port }
        let provider = OpenAIChatProvider(
            baseURL: "http://127.0.0.1:\(port)/v1", apiKey: "k", httpClient: failFastHTTPClient,
            retryPolicy: RetryPolicy(attempts: 2, initialDelay: .milliseconds(5), maximumDelay: .milliseconds(5)))
        let error = await #expect(throws: LLMError.self) { try await provider.stream(simpleRequest()).response() }
        #expect(error?.retryable == true)
        #expect(error?.status == nil)
        #expect(error?.message.hasPrefix("openai: cannot reach 127.0.0.1:\(port)") == true)
    }
}
