import SpoolClient
import SpoolCore
import Testing

@testable import SpoolAgent

/// The wire formats' state machines on their own, including what real
/// servers do that the fake does not (missing indexes, no `[DONE]`, cache
/// token counts, cut-off answers).
@Suite(.timeLimit(.minutes(3))) struct StreamParserTests {
    /// Feeds SSE text through the decoder and `parser`; the finish result is appended when the text holds no completion.
    func run(_ parser: inout some StreamParser, _ text: String) throws -> [LLMStreamEvent] {
        var decoder = SSEDecoder()
        var events: [LLMStreamEvent] = []
        for message in decoder.feed(Array(text.utf8)) {
            events += try parser.consume(message)
            if events.contains(where: \.isCompletion) { return events }
        }
        return events + [.completed(try parser.finish())]
    }

    @Test func chatToolCallsWithoutIndexesAreToldApartByID() throws {
        var parser = OpenAIChatStreamParser(provider: "openai")
        let events = try run(&parser, """
            data: {"choices":[{"delta":{"tool_calls":[{"id":"a","type":"function","function":{"name":"one","arguments":"{\\"x\\":"}}]}}]}

            data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}

            data: {"choices":[{"delta":{"tool_calls":[{"id":"b","function":{"name":"two","arguments":{"y":2}}}]}}]}

            data: {"choices":[{"delta":{},"finish_reason":"tool_calls"}]}

            data: {"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}

            data: [DONE]


            """)
        #expect(events == [
            .toolCallStarted(id: "a", name: "one"), .toolCallStarted(id: "b", name: "two"),
            .completed(LLMResponse(
                content: "", toolCalls: [ToolCall(id: "a", name: "one", arguments: ["x": 1]), ToolCall(id: "b", name: "two", arguments: ["y": 2])],
                finishReason: .toolCalls, usage: TokenUsage(inputTokens: 3, outputTokens: 4))),
        ])
    }

    @Test func chatAnswerEndingAfterAFinishReasonWithoutDoneIsWhole() throws {
        var parser = OpenAIChatStreamParser(provider: "openai")
        let events = try run(&parser, """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}


            """)
        #expect(events == [.textDelta("Hi"), .completed(LLMResponse(content: "Hi", finishReason: .length))])
    }

    @Test func argumentsThatAreNotJSONAreKeptAsText() throws {
        var parser = OpenAIChatStreamParser(provider: "openai")
        let events = try run(&parser, """
            data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{broken"}}]}}]}

            data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

            data: [DONE]


            """)
        #expect(events.last == .completed(LLMResponse(
            content: "", toolCalls: [ToolCall(id: "c", name: "f", arguments: "{broken")], finishReason: .toolCalls)))
    }

    @Test func anthropicCountsCachedInputAndMapsMaxTokens() throws {
        var parser = AnthropicStreamParser(provider: "anthropic")
        let events = try run(&parser, """
            event: message_start
            data: {"type":"message_start","message":{"usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":100,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Cut"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":30}}

            event: message_stop
            data: {"type":"message_stop"}


            """)
        #expect(events == [
            .textDelta("Cut"),
            .completed(LLMResponse(content: "Cut", finishReason: .length, usage: TokenUsage(inputTokens: 115, outputTokens: 30))),
        ])
    }

    @Test func anthropicToolUseWithoutInputDeltasHasEmptyArguments() throws {
        var parser = AnthropicStreamParser(provider: "anthropic")
        let events = try run(&parser, """
            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"now","input":{}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}

            event: message_stop
            data: {"type":"message_stop"}


            """)
        #expect(events.last == .completed(LLMResponse(
            content: "", toolCalls: [ToolCall(id: "t", name: "now", arguments: .emptyObject)], finishReason: .toolCalls,
            usage: TokenUsage(outputTokens: 3))))
    }

    @Test func responsesIncompleteMeansLength() throws {
        var parser = OpenAIResponsesStreamParser(provider: "openai-responses")
        let events = try run(&parser, """
            event: response.output_text.delta
            data: {"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"Par"}

            event: response.incomplete
            data: {"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":8,"output_tokens":1}}}


            """)
        #expect(events == [
            .textDelta("Par"),
            .completed(LLMResponse(content: "Par", finishReason: .length, usage: TokenUsage(inputTokens: 8, outputTokens: 1))),
        ])
    }

    @Test func responsesFailureIsAnError() throws {
        var parser = OpenAIResponsesStreamParser(provider: "openai-responses")
        let error = #expect(throws: LLMError.self) {
            try run(&parser, """
                event: response.failed
                data: {"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"The model crashed."}}}


                """)
        }
        #expect(error == LLMError("openai-responses: server_error: The model crashed.", retryable: true))
    }

    @Test func errorBodiesOfEveryShapeYieldAMessage() {
        #expect(ProviderTransport.providerMessage(#"{"error":{"message":"bad","type":"invalid_request_error"}}"#) == "invalid_request_error: bad")
        #expect(ProviderTransport.providerMessage(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#) == "overloaded_error: Overloaded")
        #expect(ProviderTransport.providerMessage(#"{"error":"model 'llama9' not found"}"#) == "model 'llama9' not found")
        #expect(ProviderTransport.providerMessage(#"{"object":"error","message":"too long","type":"BadRequestError"}"#) == "too long")
        #expect(ProviderTransport.providerMessage("<html>Bad Gateway</html>\n") == "<html>Bad Gateway</html>")
    }
}
