import SpoolAgent
import SpoolCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct EchoProviderTests {
    let echo = EchoProvider()

    @Test func echoesTheLastUserMessageInAFewDeltas() async throws {
        let request = LLMRequest(
            model: "echo", systemPrompt: "Be nice.", messages: [.user("first"), .assistant(content: "You said: first"), .user("hello there, echo")])
        let answer = try await collect(try await echo.stream(request))
        #expect(echo.name == "echo")
        #expect(answer.deltas.count == 3)
        #expect(answer.deltas.joined() == "You said: hello there, echo")
        #expect(answer.response == LLMResponse(
            content: "You said: hello there, echo", finishReason: .stop, usage: TokenUsage(inputTokens: 9, outputTokens: 5)))
    }

    @Test func isDeterministic() async throws {
        let request = simpleRequest("the same words every time")
        let first = try await collect(try await echo.stream(request))
        let second = try await collect(try await echo.stream(request))
        #expect(first.deltas == second.deltas)
        #expect(first.response == second.response)
    }

    @Test func callsAnOfferedToolOnRequest() async throws {
        let request = simpleRequest(#"/tool read_stream {"path": "/agents/ada", "limit": 2}"#)
        let answer = try await collect(try await echo.stream(request))
        #expect(answer.deltas.isEmpty)
        #expect(answer.started.map(\.name) == ["read_stream"])
        let response = try #require(answer.response)
        #expect(response.finishReason == .toolCalls)
        #expect(response.toolCalls == [ToolCall(id: answer.started[0].id, name: "read_stream", arguments: ["path": "/agents/ada", "limit": 2])])
    }

    @Test func toolArgumentsMayBeLeftOut() async throws {
        let response = try await echo.stream(simpleRequest("/tool get_weather")).response()
        #expect(response.toolCalls.map(\.arguments) == [.emptyObject])
    }

    @Test func explainsAnUnknownToolOrBadArguments() async throws {
        let unknown = try await echo.stream(simpleRequest("/tool launch_rockets {}")).response()
        #expect(unknown.toolCalls.isEmpty)
        #expect(unknown.content == "Unknown tool launch_rockets. Available tools: get_weather, read_stream.")
        let bad = try await echo.stream(simpleRequest("/tool get_weather {city: Paris}")).response()
        #expect(bad.toolCalls.isEmpty)
        #expect(bad.content.hasPrefix("The arguments for get_weather are not valid JSON"))
    }

    @Test func reportsToolResults() async throws {
        let request = LLMRequest(
            model: "echo",
            messages: [
                .user("/tool get_weather {}"),
                .assistant(content: "", toolCalls: [ToolCall(id: "c1", name: "get_weather"), ToolCall(id: "c2", name: "read_stream")]),
                .toolResult(ToolResult(callId: "c1", name: "get_weather", output: "sunny, 21°C")),
                .toolResult(ToolResult(callId: "c2", name: "read_stream", output: "no such stream", isError: true)),
            ],
            tools: sampleTools)
        let answer = try await collect(try await echo.stream(request))
        #expect(answer.deltas.joined() == "Tool get_weather returned: sunny, 21°C\nTool read_stream failed: no such stream")
        #expect(answer.response?.finishReason == .stop)
    }

    @Test func aStreamCanBeReadTwiceWhenItIsOffline() async throws {
        let stream = try await echo.stream(simpleRequest("again"))
        #expect(try await stream.response().content == "You said: again")
        #expect(try await stream.response().content == "You said: again")
    }
}
