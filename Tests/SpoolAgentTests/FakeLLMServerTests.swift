import AsyncHTTPClient
import NIOCore
import SpoolAgent
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// The fake's wire formats, read raw, against the shapes the real APIs stream.
@Suite(.timeLimit(.minutes(3))) struct FakeLLMServerTests {
    struct RawStream {
        var status: Int
        var contentType: String?
        var messages: [SSEDecoder.Message]
    }

    func post(_ url: String, _ body: JSONValue) async throws -> RawStream {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body.jsonString))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        var decoder = SSEDecoder()
        return RawStream(
            status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
            messages: decoder.feed(bytes.readableBytesView))
    }

    let twoCalls = FakeLLMReply.toolCalls(
        [FakeToolCall(name: "get_weather", arguments: weatherCall), FakeToolCall(name: "read_stream", arguments: readCall)],
        text: "Sure.", argumentChunks: 3, usage: FakeUsage(inputTokens: 7, outputTokens: 11))

    @Test func chatCompletionsStreamChunksThenUsageThenDone() async throws {
        try await FakeLLMServer.with(replies: [twoCalls]) { server in
            let body: JSONValue = ["model": "gpt-x", "messages": [], "stream": true, "stream_options": ["include_usage": true]]
            let stream = try await post(server.openAIBaseURL + "/chat/completions", body)
            #expect(stream.status == 200)
            #expect(stream.contentType?.hasPrefix("text/event-stream") == true)
            #expect(stream.messages.allSatisfy { $0.event == nil })
            #expect(stream.messages.last?.data == "[DONE]")
            let chunks = try stream.messages.dropLast().map { try JSONValue.parse($0.data) }
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" && $0["model"] == "gpt-x" })
            // Every chunk but the last carries `usage: null`; the last has no choices and the totals.
            #expect(chunks.dropLast().allSatisfy { $0["usage"] == .null })
            #expect(chunks.last?["choices"] == [])
            #expect(chunks.last?["usage"]?["prompt_tokens"] == 7)
            #expect(chunks.last?["usage"]?["completion_tokens"] == 11)
            #expect(chunks.last?["usage"]?["total_tokens"] == 18)
            let deltas = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"] }
            #expect(deltas.first?["role"] == "assistant")
            #expect(deltas.compactMap { $0["content"]?.stringValue }.joined() == "Sure.")
            let fragments = deltas.flatMap { $0["tool_calls"]?.arrayValue ?? [] }
            for (index, expected) in [weatherCall, readCall].enumerated() {
                let mine = fragments.filter { $0["index"]?.intValue == Int64(index) }
                #expect(mine.count == 4)  // id and name first, then three argument fragments
                #expect(mine.first?["id"]?.stringValue?.hasPrefix("call_") == true)
                #expect(mine.first?["function"]?["arguments"] == "")
                #expect(mine.dropFirst().allSatisfy { $0["id"] == nil && $0["function"]?["name"] == nil })
                let text = mine.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
                #expect(try JSONValue.parse(text) == expected)
            }
            let finish = chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
            #expect(finish == ["tool_calls"])
        }
    }

    @Test func chatCompletionsWithoutIncludeUsageSendNoUsage() async throws {
        try await FakeLLMServer.with(replies: [.text("Hi")]) { server in
            let stream = try await post(server.openAIBaseURL + "/chat/completions", ["model": "m", "messages": [], "stream": true])
            let chunks = try stream.messages.dropLast().map { try JSONValue.parse($0.data) }
            #expect(chunks.allSatisfy { $0["usage"] == nil })
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
        }
    }

    @Test func anthropicMessagesStreamNamedEvents() async throws {
        try await FakeLLMServer.with(replies: [twoCalls]) { server in
            let stream = try await post(server.baseURL + "/v1/messages", ["model": "claude-x", "max_tokens": 10, "messages": [], "stream": true])
            let names = stream.messages.map { $0.event ?? "" }
            #expect(names == [
                "message_start",
                "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop",
            ])
            let events = try stream.messages.map { try JSONValue.parse($0.data) }
            #expect(zip(names, events).allSatisfy { $0.0 == $0.1["type"]?.stringValue })
            #expect(events[0]["message"]?["usage"]?["input_tokens"] == 7)
            #expect(events[0]["message"]?["model"] == "claude-x")
            #expect(events[3...5].compactMap { $0["delta"]?["text"]?.stringValue }.joined() == "Sure.")
            #expect(events[7]["content_block"]?["type"] == "tool_use")
            #expect(events[7]["content_block"]?["id"]?.stringValue?.hasPrefix("toolu_") == true)
            #expect(events[7]["content_block"]?["input"] == [:])
            #expect(events[8]["delta"] == ["type": "input_json_delta", "partial_json": ""])
            let input = events[8...11].compactMap { $0["delta"]?["partial_json"]?.stringValue }.joined()
            #expect(try JSONValue.parse(input) == weatherCall)
            #expect(events[19]["delta"]?["stop_reason"] == "tool_use")
            #expect(events[19]["usage"]?["output_tokens"] == 11)
        }
    }

    @Test func responsesStreamTypedEventsInSequence() async throws {
        try await FakeLLMServer.with(replies: [twoCalls]) { server in
            let stream = try await post(server.openAIBaseURL + "/responses", ["model": "gpt-x", "input": [], "stream": true])
            let events = try stream.messages.map { try JSONValue.parse($0.data) }
            #expect(stream.messages.map(\.event) == events.map { $0["type"]?.stringValue })
            #expect(events.map { $0["sequence_number"]?.intValue } == (0..<Int64(events.count)).map { $0 })
            #expect(events.first?["type"] == "response.created")
            let completed = try #require(events.last)
            #expect(completed["type"] == "response.completed")
            #expect(completed["response"]?["status"] == "completed")
            #expect(completed["response"]?["usage"]?["input_tokens"] == 7)
            #expect(completed["response"]?["output"]?.arrayValue?.map { $0["type"] } == ["message", "function_call", "function_call"])
            let added = events.filter { $0["type"] == "response.output_item.added" && $0["item"]?["type"] == "function_call" }
            #expect(added.map { $0["item"]?["name"] } == ["get_weather", "read_stream"])
            let firstItem = try #require(added.first?["item"]?["id"])
            let fragments = events.filter { $0["type"] == "response.function_call_arguments.delta" && $0["item_id"] == firstItem }
            #expect(fragments.count == 3)
            #expect(try JSONValue.parse(fragments.compactMap { $0["delta"]?.stringValue }.joined()) == weatherCall)
        }
    }

    @Test func errorRepliesUseEachAPIsErrorBody() async throws {
        try await FakeLLMServer.with(replies: [.rateLimited, .rateLimited]) { server in
            let openAI = try await post(server.openAIBaseURL + "/chat/completions", ["model": "m"])
            #expect(openAI.status == 429)
            let anthropic = try await post(server.baseURL + "/v1/messages", ["model": "m"])
            #expect(anthropic.status == 429)
        }
    }

    @Test func theFallbackAnswersOnceTheScriptIsUsedUp() async throws {
        let fallback: @Sendable (FakeLLMRequest) -> FakeLLMReply = { request in
            .text("echo " + (request.body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? ""))
        }
        try await FakeLLMServer.with(replies: [.text("scripted")], fallback: fallback) { server in
            let provider = server.openAIChatProvider()
            let first = try await provider.stream(simpleRequest("one")).response()
            let second = try await provider.stream(simpleRequest("two")).response()
            #expect(first.content == "scripted")
            #expect(second.content == "echo two")
            #expect(server.pendingReplyCount == 0)
        }
    }

    @Test func withoutAReplyTheServerSaysSo() async throws {
        try await FakeLLMServer.with { server in
            let error = await #expect(throws: LLMError.self) {
                try await server.openAIChatProvider(retryPolicy: .none).stream(simpleRequest()).response()
            }
            #expect(error?.message.contains("FakeLLMServer has no scripted reply left for request 1") == true)
        }
    }

    @Test func concurrentStreamsStayApart() async throws {
        let fallback: @Sendable (FakeLLMRequest) -> FakeLLMReply = { request in
            .text(request.body["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "", chunks: 20)
        }
        try await FakeLLMServer.with(fallback: fallback) { server in
            let provider = server.anthropicProvider()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let text = "agent \(index) says " + String(repeating: "word\(index) ", count: 40)
                        let answer = try await collect(try await provider.stream(simpleRequest(text)))
                        #expect(answer.deltas.count == 20)
                        #expect(answer.deltas.joined() == text)
                    }
                }
                try await group.waitForAll()
            }
            #expect(server.requestCount == 50)
        }
    }

    @Test func aDelayPacesTheEvents() async throws {
        try await FakeLLMServer.with(replies: [.text("slow and steady", chunks: 3, delay: .milliseconds(40))]) { server in
            let clock = ContinuousClock()
            let start = clock.now
            var arrivals: [Duration] = []
            for try await event in try await server.openAIChatProvider().stream(simpleRequest()) {
                if case .textDelta = event { arrivals.append(clock.now - start) }
            }
            #expect(arrivals.count == 3)
            // The third delta is written two pauses after the first at the earliest. A late reader can see
            // deltas bunched (the gap between the first and the third shrinks under load), never early.
            #expect(arrivals.last.map { $0 >= .milliseconds(80) } == true, "\(arrivals)")
        }
    }
}
