import SpoolCore

/// A scripted reply as the frames of one API's event stream, plus where its
/// text deltas are, so a malformed variant can cut it there.
struct FakeEventStream {
    var frames: [String] = []
    /// The indices of the frames that carry text deltas, in order.
    var textDeltas: [Int] = []
    var firstTextDelta: Int? { textDeltas.first }
    var lastTextDelta: Int? { textDeltas.last }

    mutating func add(event: String? = nil, _ data: JSONValue, isTextDelta: Bool = false) {
        if isTextDelta { textDeltas.append(frames.count) }
        frames.append((event.map { "event: \($0)\n" } ?? "") + "data: " + data.jsonString + "\n\n")
    }

    mutating func addRaw(_ frame: String) {
        frames.append(frame)
    }

    /// The frames to send for `failure`: all of them; cut after the first
    /// delta and followed by garbage; cut after the last delta; cut before
    /// the first delta and followed by an error event; or, for a stall, those
    /// before the stall.
    func frames(for failure: FakeLLMReply.Failure?, garbage: String, error: (String) -> String) -> [String] {
        switch failure {
        case .badJSON: return Array(frames[...(firstTextDelta ?? 0)]) + [garbage]
        case .truncated: return Array(frames[...(lastTextDelta ?? 0)])
        case .streamError(let message): return Array(frames[..<(firstTextDelta ?? 1)]) + [error(message)]
        case .stall(let deltas) where deltas < textDeltas.count:
            return Array(frames[..<(deltas == 0 ? textDeltas[0] : textDeltas[deltas - 1] + 1)])
        case .stallBeforeHeaders: return []
        case .stall, .httpStatus, nil: return frames
        }
    }
}

/// What a wire renderer needs to know about the request being answered.
struct FakeWireContext {
    /// The request's number, for ids unique within a server.
    var number: Int
    var model: String
    /// Whether an OpenAI Chat request asked for `stream_options.include_usage`.
    var includeUsage: Bool
    /// Unix seconds.
    var created: Int64

    func callID(_ call: FakeToolCall, index: Int, prefix: String) -> String {
        call.id ?? "\(prefix)fake\(number)x\(index)"
    }
}

extension FakeLLMRequest.API {
    /// The reply's event stream in this API's format.
    func frames(for reply: FakeLLMReply, context: FakeWireContext) -> [String] {
        switch self {
        case .openAIChat:
            return FakeOpenAIChatWire.stream(reply, context).frames(
                for: reply.failure,
                garbage: "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"content\":\"oo\n\n",
                error: { message in
                    let error: JSONValue = ["error": ["message": .string(message), "type": "server_error", "param": .null, "code": .null]]
                    return "data: \(error.jsonString)\n\n"
                })
        case .openAIResponses:
            return FakeResponsesWire.stream(reply, context).frames(
                for: reply.failure,
                garbage: "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"oo\n\n",
                error: { message in
                    let error: JSONValue = [
                        "type": "error", "code": "server_error", "message": .string(message), "param": .null, "sequence_number": 2,
                    ]
                    return "event: error\ndata: \(error.jsonString)\n\n"
                })
        case .anthropicMessages:
            return FakeAnthropicWire.stream(reply, context).frames(
                for: reply.failure,
                garbage: "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n",
                error: { message in
                    let error: JSONValue = ["type": "error", "error": ["type": "overloaded_error", "message": .string(message)]]
                    return "event: error\ndata: \(error.jsonString)\n\n"
                })
        }
    }

    /// The API's JSON error body for `status`.
    func errorBody(status: Int, message: String, requestID: String) -> JSONValue {
        switch self {
        case .openAIChat, .openAIResponses:
            let (type, code): (String, JSONValue) =
                switch status {
                case 401: ("invalid_request_error", "invalid_api_key")
                case 404: ("invalid_request_error", "model_not_found")
                case 429: ("requests", "rate_limit_exceeded")
                case 500...: ("server_error", .null)
                default: ("invalid_request_error", .null)
                }
            return ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": code]]
        case .anthropicMessages:
            let type =
                switch status {
                case 401: "authentication_error"
                case 403: "permission_error"
                case 404: "not_found_error"
                case 413: "request_too_large"
                case 429: "rate_limit_error"
                case 529: "overloaded_error"
                case 500...: "api_error"
                default: "invalid_request_error"
                }
            return ["type": "error", "error": ["type": .string(type), "message": .string(message)], "request_id": .string(requestID)]
        }
    }

    /// The header that carries the request id in this API's responses.
    var requestIDHeader: String {
        self == .anthropicMessages ? "request-id" : "x-request-id"
    }
}

/// Chat Completions: `data:` chunks only, tool calls fragmented by `index`,
/// usage in a last chunk with empty `choices` (when asked for), `[DONE]`.
enum FakeOpenAIChatWire {
    static func stream(_ reply: FakeLLMReply, _ context: FakeWireContext) -> FakeEventStream {
        var stream = FakeEventStream()
        let id = "chatcmpl-fake\(context.number)"
        func chunk(_ choices: [JSONValue], usage: JSONValue = .null) -> JSONValue {
            var object: JSONObject = [
                "id": .string(id), "object": "chat.completion.chunk", "created": .int(context.created),
                "model": .string(context.model), "service_tier": "default", "system_fingerprint": "fp_fake",
                "choices": .array(choices),
            ]
            if context.includeUsage { object["usage"] = usage }
            return .object(object)
        }
        func choice(_ delta: JSONValue, finishReason: JSONValue = .null) -> JSONValue {
            ["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finishReason]
        }
        let pieces = reply.textPieces
        if !pieces.isEmpty || reply.toolCalls.isEmpty {
            stream.add(chunk([choice(["role": "assistant", "content": "", "refusal": .null])]))
            for piece in pieces { stream.add(chunk([choice(["content": .string(piece)])]), isTextDelta: true) }
        }
        for (index, call) in reply.toolCalls.enumerated() {
            let start: JSONValue = [
                "index": .int(Int64(index)), "id": .string(context.callID(call, index: index, prefix: "call_")),
                "type": "function", "function": ["name": .string(call.name), "arguments": ""],
            ]
            if index == 0, pieces.isEmpty {
                stream.add(chunk([choice(["role": "assistant", "content": .null, "tool_calls": [start], "refusal": .null])]))
            } else {
                stream.add(chunk([choice(["tool_calls": [start]])]))
            }
            for fragment in FakeLLMReply.split(call.arguments.jsonString, into: reply.argumentChunks) {
                stream.add(chunk([choice(["tool_calls": [["index": .int(Int64(index)), "function": ["arguments": .string(fragment)]]]])]))
            }
        }
        stream.add(chunk([choice(.emptyObject, finishReason: reply.toolCalls.isEmpty ? "stop" : "tool_calls")]))
        if context.includeUsage {
            let usage: JSONValue = [
                "prompt_tokens": .int(Int64(reply.usage.inputTokens)), "completion_tokens": .int(Int64(reply.usage.outputTokens)),
                "total_tokens": .int(Int64(reply.usage.inputTokens + reply.usage.outputTokens)),
                "prompt_tokens_details": ["cached_tokens": 0, "audio_tokens": 0],
                "completion_tokens_details": [
                    "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0,
                ],
            ]
            stream.add(chunk([], usage: usage))
        }
        stream.addRaw("data: [DONE]\n\n")
        return stream
    }
}

/// Anthropic Messages: named events, a text block then `tool_use` blocks
/// whose input streams as `input_json_delta`, usage in `message_start` and
/// `message_delta`, `message_stop`.
enum FakeAnthropicWire {
    static func stream(_ reply: FakeLLMReply, _ context: FakeWireContext) -> FakeEventStream {
        var stream = FakeEventStream()
        stream.add(
            event: "message_start",
            [
                "type": "message_start",
                "message": [
                    "id": .string("msg_fake\(context.number)"), "type": "message", "role": "assistant",
                    "model": .string(context.model), "content": [], "stop_reason": .null, "stop_sequence": .null,
                    "usage": [
                        "input_tokens": .int(Int64(reply.usage.inputTokens)), "cache_creation_input_tokens": 0,
                        "cache_read_input_tokens": 0, "output_tokens": 1, "service_tier": "standard",
                    ],
                ],
            ])
        var index: Int64 = 0
        let pieces = reply.textPieces
        if !pieces.isEmpty {
            stream.add(
                event: "content_block_start", ["type": "content_block_start", "index": 0, "content_block": ["type": "text", "text": ""]])
            stream.add(event: "ping", ["type": "ping"])
            for piece in pieces {
                stream.add(
                    event: "content_block_delta",
                    ["type": "content_block_delta", "index": 0, "delta": ["type": "text_delta", "text": .string(piece)]],
                    isTextDelta: true)
            }
            stream.add(event: "content_block_stop", ["type": "content_block_stop", "index": 0])
            index += 1
        }
        for (number, call) in reply.toolCalls.enumerated() {
            stream.add(
                event: "content_block_start",
                [
                    "type": "content_block_start", "index": .int(index),
                    "content_block": [
                        "type": "tool_use", "id": .string(context.callID(call, index: number, prefix: "toolu_")),
                        "name": .string(call.name), "input": [:],
                    ],
                ])
            if number == 0, pieces.isEmpty { stream.add(event: "ping", ["type": "ping"]) }
            for fragment in [""] + FakeLLMReply.split(call.arguments.jsonString, into: reply.argumentChunks) {
                stream.add(
                    event: "content_block_delta",
                    [
                        "type": "content_block_delta", "index": .int(index),
                        "delta": ["type": "input_json_delta", "partial_json": .string(fragment)],
                    ])
            }
            stream.add(event: "content_block_stop", ["type": "content_block_stop", "index": .int(index)])
            index += 1
        }
        stream.add(
            event: "message_delta",
            [
                "type": "message_delta",
                "delta": ["stop_reason": reply.toolCalls.isEmpty ? "end_turn" : "tool_use", "stop_sequence": .null],
                "usage": ["output_tokens": .int(Int64(reply.usage.outputTokens))],
            ])
        stream.add(event: "message_stop", ["type": "message_stop"])
        return stream
    }
}

/// OpenAI Responses: typed events with `sequence_number`, a message item
/// with `output_text` deltas, function call items with argument deltas,
/// and `response.completed` carrying the whole response and its usage.
enum FakeResponsesWire {
    static func stream(_ reply: FakeLLMReply, _ context: FakeWireContext) -> FakeEventStream {
        var stream = FakeEventStream()
        var sequence: Int64 = 0
        func add(_ type: String, _ fields: JSONObject, isTextDelta: Bool = false) {
            var object: JSONObject = ["type": .string(type)]
            for member in fields.members { object[member.key] = member.value }
            object["sequence_number"] = .int(sequence)
            sequence += 1
            stream.add(event: type, .object(object), isTextDelta: isTextDelta)
        }
        func response(status: String, output: [JSONValue], usage: JSONValue) -> JSONValue {
            [
                "id": .string("resp_fake\(context.number)"), "object": "response", "created_at": .int(context.created),
                "status": .string(status), "error": .null, "incomplete_details": .null, "instructions": .null,
                "max_output_tokens": .null, "model": .string(context.model), "output": .array(output),
                "parallel_tool_calls": true, "previous_response_id": .null, "reasoning": ["effort": .null, "summary": .null],
                "store": false, "temperature": 1.0, "text": ["format": ["type": "text"]], "tool_choice": "auto", "tools": [],
                "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": .null, "metadata": [:],
            ]
        }
        add("response.created", ["response": response(status: "in_progress", output: [], usage: .null)])
        add("response.in_progress", ["response": response(status: "in_progress", output: [], usage: .null)])
        var output: [JSONValue] = []
        let pieces = reply.textPieces
        if !pieces.isEmpty {
            let itemID = JSONValue.string("msg_fake\(context.number)")
            let outputIndex = JSONValue.int(Int64(output.count))
            add(
                "response.output_item.added",
                [
                    "output_index": outputIndex,
                    "item": ["id": itemID, "type": "message", "status": "in_progress", "content": [], "role": "assistant"],
                ])
            add(
                "response.content_part.added",
                [
                    "item_id": itemID, "output_index": outputIndex, "content_index": 0,
                    "part": ["type": "output_text", "annotations": [], "logprobs": [], "text": ""],
                ])
            for piece in pieces {
                add(
                    "response.output_text.delta",
                    ["item_id": itemID, "output_index": outputIndex, "content_index": 0, "delta": .string(piece), "logprobs": []],
                    isTextDelta: true)
            }
            let part: JSONValue = ["type": "output_text", "annotations": [], "logprobs": [], "text": .string(reply.text)]
            add(
                "response.output_text.done",
                ["item_id": itemID, "output_index": outputIndex, "content_index": 0, "text": .string(reply.text), "logprobs": []])
            add("response.content_part.done", ["item_id": itemID, "output_index": outputIndex, "content_index": 0, "part": part])
            let item: JSONValue = ["id": itemID, "type": "message", "status": "completed", "content": [part], "role": "assistant"]
            add("response.output_item.done", ["output_index": outputIndex, "item": item])
            output.append(item)
        }
        for (number, call) in reply.toolCalls.enumerated() {
            let itemID = JSONValue.string("fc_fake\(context.number)x\(number)")
            let callID = JSONValue.string(context.callID(call, index: number, prefix: "call_"))
            let outputIndex = JSONValue.int(Int64(output.count))
            let arguments = call.arguments.jsonString
            add(
                "response.output_item.added",
                [
                    "output_index": outputIndex,
                    "item": [
                        "id": itemID, "type": "function_call", "status": "in_progress", "arguments": "", "call_id": callID,
                        "name": .string(call.name),
                    ],
                ])
            for fragment in FakeLLMReply.split(arguments, into: reply.argumentChunks) {
                add("response.function_call_arguments.delta", ["item_id": itemID, "output_index": outputIndex, "delta": .string(fragment)])
            }
            add(
                "response.function_call_arguments.done",
                ["item_id": itemID, "output_index": outputIndex, "arguments": .string(arguments)])
            let item: JSONValue = [
                "id": itemID, "type": "function_call", "status": "completed", "arguments": .string(arguments), "call_id": callID,
                "name": .string(call.name),
            ]
            add("response.output_item.done", ["output_index": outputIndex, "item": item])
            output.append(item)
        }
        let usage: JSONValue = [
            "input_tokens": .int(Int64(reply.usage.inputTokens)), "input_tokens_details": ["cached_tokens": 0],
            "output_tokens": .int(Int64(reply.usage.outputTokens)), "output_tokens_details": ["reasoning_tokens": 0],
            "total_tokens": .int(Int64(reply.usage.inputTokens + reply.usage.outputTokens)),
        ]
        add("response.completed", ["response": response(status: "completed", output: output, usage: usage)])
        return stream
    }
}
