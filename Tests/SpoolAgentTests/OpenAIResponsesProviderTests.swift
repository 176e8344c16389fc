import SpoolAgent
import SpoolCore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(3))) struct OpenAIResponsesProviderTests {
    @Test func streamsAPlainAnswerWithUsage() async throws {
        try await FakeLLMServer.with(replies: [.text("Responses stream in typed events.", chunks: 5, usage: FakeUsage(inputTokens: 40, outputTokens: 6))]) { server in
            let answer = try await collect(try await server.openAIResponsesProvider().stream(simpleRequest()))
            #expect(answer.deltas.count == 5)
            #expect(answer.deltas.joined() == "Responses stream in typed events.")
            #expect(answer.response == LLMResponse(
                content: "Responses stream in typed events.", finishReason: .stop, usage: TokenUsage(inputTokens: 40, outputTokens: 6)))
        }
    }

    @Test func assemblesTwoParallelFunctionCallsFromFragments() async throws {
        let reply = FakeLLMReply.toolCalls(
            [FakeToolCall(id: "call_w", name: "get_weather", arguments: weatherCall),
             FakeToolCall(id: "call_r", name: "read_stream", arguments: readCall)],
            text: "Let me look.", argumentChunks: 4)
        try await FakeLLMServer.with(replies: [reply]) { server in
            let answer = try await collect(try await server.openAIResponsesProvider().stream(simpleRequest()))
            #expect(answer.deltas.joined() == "Let me look.")
            #expect(answer.started.map(\.id) == ["call_w", "call_r"])
            let response = try #require(answer.response)
            #expect(response.content == "Let me look.")
            #expect(response.finishReason == .toolCalls)
            #expect(response.toolCalls == [
                ToolCall(id: "call_w", name: "get_weather", arguments: weatherCall),
                ToolCall(id: "call_r", name: "read_stream", arguments: readCall),
            ])
        }
    }

    @Test func retriesARateLimitThenSucceeds() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .text("Done")]) { server in
            let response = try await server.openAIResponsesProvider().stream(simpleRequest()).response()
            #expect(response.content == "Done")
            #expect(server.requestCount == 2)
        }
    }

    @Test func failsAtOnceOnABadRequestWithTheProvidersMessage() async throws {
        try await FakeLLMServer.with(replies: [.httpError(status: 404, message: "The model `gpt-nope` does not exist.")]) { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.openAIResponsesProvider().stream(simpleRequest()).response()
            }
            #expect(error?.status == 404)
            #expect(error?.retryable == false)
            #expect(error?.message == "openai-responses: HTTP 404: invalid_request_error: The model `gpt-nope` does not exist. [request req_fake1]")
            #expect(server.requestCount == 1)
        }
    }

    @Test func reportsAMalformedStream() async throws {
        try await FakeLLMServer.with(replies: [.malformedJSON, .truncatedStream]) { server in
            let provider = server.openAIResponsesProvider()
            let badJSON = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(badJSON?.message.hasPrefix("openai-responses: malformed stream: a data line is not valid JSON") == true)
            let truncated = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(truncated?.message == "openai-responses: malformed stream: the response ended before response.completed")
        }
    }

    @Test func retriesAnErrorEventBeforeAnyOutput() async throws {
        try await FakeLLMServer.with(replies: [.overloadedInStream, .text("Recovered")]) { server in
            let response = try await server.openAIResponsesProvider().stream(simpleRequest()).response()
            #expect(response.content == "Recovered")
            #expect(server.requestCount == 2)
        }
    }

    @Test func sendsTheConversationAsInputItems() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            _ = try await server.openAIResponsesProvider().stream(sampleConversation).response()
            let request = try #require(server.requests.first)
            #expect(request.path == "/v1/responses")
            #expect(request.header("authorization") == "Bearer sk-test-key")
            let expected: JSONValue = [
                "model": "test-model",
                "instructions": "You are terse.",
                "input": [
                    ["role": "user", "content": "Weather in Paris?"],
                    ["role": "assistant", "content": "Checking."],
                    ["type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"],
                    ["type": "function_call_output", "call_id": "call_1", "output": "{\"celsius\":21}"],
                    ["role": "developer", "content": "Answer in one line."],
                    ["role": "user", "content": "And now?"],
                ],
                "tools": [
                    ["type": "function", "name": "get_weather", "description": "Current weather of a city.", "parameters": sampleTools[0].parameters, "strict": false],
                    ["type": "function", "name": "read_stream", "description": "Reads events of a stream.", "parameters": sampleTools[1].parameters, "strict": false],
                ],
                "temperature": 0.5,
                "max_output_tokens": 256,
                "stream": true,
                "store": false,
            ]
            #expect(request.body == expected)
        }
    }
}
