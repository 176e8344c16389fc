import SpoolAgent
import SpoolCore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(3))) struct AnthropicMessagesProviderTests {
    @Test func streamsAPlainAnswerWithUsage() async throws {
        try await FakeLLMServer.with(replies: [.text("Claude streams content blocks.", chunks: 3, usage: FakeUsage(inputTokens: 52, outputTokens: 9))]) { server in
            let answer = try await collect(try await server.anthropicProvider().stream(simpleRequest()))
            #expect(answer.deltas.count == 3)
            #expect(answer.deltas.joined() == "Claude streams content blocks.")
            #expect(answer.response == LLMResponse(
                content: "Claude streams content blocks.", finishReason: .stop, usage: TokenUsage(inputTokens: 52, outputTokens: 9)))
        }
    }

    @Test func assemblesTwoParallelToolUsesFromInputJSONDeltas() async throws {
        let reply = FakeLLMReply.toolCalls(
            [FakeToolCall(id: "toolu_w", name: "get_weather", arguments: weatherCall),
             FakeToolCall(id: "toolu_r", name: "read_stream", arguments: readCall)],
            text: "I'll check both.", argumentChunks: 6)
        try await FakeLLMServer.with(replies: [reply]) { server in
            let answer = try await collect(try await server.anthropicProvider().stream(simpleRequest()))
            #expect(answer.deltas.joined() == "I'll check both.")
            #expect(answer.started.map(\.id) == ["toolu_w", "toolu_r"])
            #expect(answer.started.map(\.name) == ["get_weather", "read_stream"])
            let response = try #require(answer.response)
            #expect(response.finishReason == .toolCalls)
            #expect(response.toolCalls == [
                ToolCall(id: "toolu_w", name: "get_weather", arguments: weatherCall),
                ToolCall(id: "toolu_r", name: "read_stream", arguments: readCall),
            ])
        }
    }

    @Test func retriesRateLimitsAndOverloadThenSucceeds() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .httpError(status: 529, message: "Overloaded"), .text("Here")]) { server in
            let response = try await server.anthropicProvider().stream(simpleRequest()).response()
            #expect(response.content == "Here")
            #expect(server.requestCount == 3)
        }
    }

    @Test func failsAtOnceOnABadRequestWithTheProvidersMessage() async throws {
        try await FakeLLMServer.with(replies: [.httpError(status: 400, message: "messages.1.content: tool_use ids must be unique")]) { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.anthropicProvider().stream(simpleRequest()).response()
            }
            #expect(error?.status == 400)
            #expect(error?.retryable == false)
            #expect(error?.message == "anthropic: HTTP 400: invalid_request_error: messages.1.content: tool_use ids must be unique [request req_fake1]")
            #expect(server.requestCount == 1)
        }
    }

    @Test func reportsAMalformedStream() async throws {
        try await FakeLLMServer.with(replies: [.malformedJSON, .truncatedStream]) { server in
            let provider = server.anthropicProvider()
            let badJSON = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(badJSON?.message.hasPrefix("anthropic: malformed stream: a data line is not valid JSON") == true)
            let truncated = await #expect(throws: LLMError.self) { try await collect(try await provider.stream(simpleRequest())) }
            #expect(truncated?.message == "anthropic: malformed stream: the response ended before message_stop")
        }
    }

    @Test func retriesAnOverloadedErrorEventBeforeAnyOutput() async throws {
        try await FakeLLMServer.with(replies: [.overloadedInStream, .text("Recovered")]) { server in
            let response = try await server.anthropicProvider().stream(simpleRequest()).response()
            #expect(response.content == "Recovered")
            #expect(server.requestCount == 2)
        }
    }

    @Test func anOverloadedErrorEventWithoutRetriesLeftIsReported() async throws {
        try await FakeLLMServer.with(replies: [.overloadedInStream]) { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.anthropicProvider(retryPolicy: .none).stream(simpleRequest()).response()
            }
            #expect(error?.message == "anthropic: overloaded_error: Overloaded")
            #expect(error?.retryable == true)
        }
    }

    @Test func sendsTheConversationInMessagesShape() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            _ = try await server.anthropicProvider().stream(sampleConversation).response()
            let request = try #require(server.requests.first)
            #expect(request.path == "/v1/messages")
            #expect(request.header("x-api-key") == "sk-ant-test-key")
            #expect(request.header("anthropic-version") == "2023-06-01")
            #expect(request.header("authorization") == nil)
            let expected: JSONValue = [
                "model": "test-model",
                "max_tokens": 256,
                "system": "You are terse.\n\nAnswer in one line.",
                "messages": [
                    ["role": "user", "content": "Weather in Paris?"],
                    [
                        "role": "assistant",
                        "content": [
                            ["type": "text", "text": "Checking."],
                            ["type": "tool_use", "id": "call_1", "name": "get_weather", "input": ["city": "Paris"]],
                        ],
                    ],
                    [
                        "role": "user",
                        "content": [
                            ["type": "tool_result", "tool_use_id": "call_1", "content": "{\"celsius\":21}"],
                            ["type": "text", "text": "And now?"],
                        ],
                    ],
                ],
                "tools": [
                    ["name": "get_weather", "description": "Current weather of a city.", "input_schema": sampleTools[0].parameters],
                    ["name": "read_stream", "description": "Reads events of a stream.", "input_schema": sampleTools[1].parameters],
                ],
                "temperature": 0.5,
                "stream": true,
            ]
            #expect(request.body == expected)
        }
    }

    @Test func groupsParallelToolResultsIntoOneUserTurn() async throws {
        try await FakeLLMServer.with(replies: [.text("ok")]) { server in
            let request = LLMRequest(
                model: "m",
                messages: [
                    .user("both"),
                    .assistant(content: "", toolCalls: [ToolCall(id: "a", name: "get_weather"), ToolCall(id: "b", name: "read_stream")]),
                    .toolResult(ToolResult(callId: "a", name: "get_weather", output: "sunny")),
                    .toolResult(ToolResult(callId: "b", name: "read_stream", output: "no such stream", isError: true)),
                ])
            _ = try await server.anthropicProvider().stream(request).response()
            let body = try #require(server.requests.first?.body)
            #expect(body["max_tokens"] == 8192)
            #expect(body["system"] == nil)
            #expect(body["messages"]?.arrayValue?.count == 3)
            #expect(body["messages"]?.arrayValue?[2] == [
                "role": "user",
                "content": [
                    ["type": "tool_result", "tool_use_id": "a", "content": "sunny"],
                    ["type": "tool_result", "tool_use_id": "b", "content": "no such stream", "is_error": true],
                ],
            ])
        }
    }
}
