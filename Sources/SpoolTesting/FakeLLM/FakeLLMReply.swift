import SpoolCore

/// One scripted answer of ``FakeLLMServer``, rendered in the wire format of
/// whichever API the request came to.
///
/// ```swift
/// .text("Hello there", chunks: 3)
/// .toolCalls([FakeToolCall(name: "read_stream", arguments: ["path": "/agents/ada"])])
/// .httpError(status: 429, message: "Rate limit reached")
/// .malformedJSON
/// ```
public struct FakeLLMReply: Sendable {
    /// How a reply goes wrong instead of answering.
    public enum Failure: Sendable, Equatable {
        /// An HTTP error status with the API's JSON error body.
        case httpStatus(Int, message: String)
        /// A few good events, then a data line that is not JSON.
        case badJSON
        /// Text deltas, then the body ends without the completion event (`[DONE]`, `message_stop`, `response.completed`).
        case truncated
        /// The stream opens (status 200), then reports an error event before any
        /// output, as Anthropic does when overloaded (`event: error`).
        case streamError(message: String)
        /// The events up to the `afterTextDeltas`th text delta (with no more deltas than that, the
        /// whole answer, its completion included), then nothing: the body never ends, and the
        /// connection stays open until the client closes it or the test's server stops.
        case stall(afterTextDeltas: Int)
        /// No status and no headers: the request is held until the client closes the connection
        /// or the test's server stops.
        case stallBeforeHeaders
    }

    public var text: String
    public var toolCalls: [FakeToolCall]
    /// Into how many deltas `text` is split.
    public var textChunks: Int
    /// Into how many fragments each tool call's argument JSON is split.
    public var argumentChunks: Int
    /// The pause between two server-sent events; `.zero` writes the whole answer at once.
    public var delay: Duration
    public var usage: FakeUsage
    public var failure: Failure?

    public init(
        text: String = "", toolCalls: [FakeToolCall] = [], textChunks: Int = 3, argumentChunks: Int = 3,
        delay: Duration = .zero, usage: FakeUsage = FakeUsage(), failure: Failure? = nil
    ) {
        self.text = text
        self.toolCalls = toolCalls
        self.textChunks = max(1, textChunks)
        self.argumentChunks = max(1, argumentChunks)
        self.delay = delay
        self.usage = usage
        self.failure = failure
    }

    /// A plain answer streamed in `chunks` deltas.
    public static func text(_ text: String, chunks: Int = 3, delay: Duration = .zero, usage: FakeUsage = FakeUsage()) -> FakeLLMReply {
        FakeLLMReply(text: text, textChunks: chunks, delay: delay, usage: usage)
    }

    /// Tool calls (in parallel, after optional `text`), each call's arguments split into `argumentChunks` fragments.
    public static func toolCalls(
        _ calls: [FakeToolCall], text: String = "", argumentChunks: Int = 3, delay: Duration = .zero,
        usage: FakeUsage = FakeUsage()
    ) -> FakeLLMReply {
        FakeLLMReply(text: text, toolCalls: calls, argumentChunks: argumentChunks, delay: delay, usage: usage)
    }

    /// An error status with the API's error body, such as 429 or 400.
    public static func httpError(status: Int, message: String) -> FakeLLMReply {
        FakeLLMReply(failure: .httpStatus(status, message: message))
    }

    /// 429 with a rate-limit message.
    public static let rateLimited = httpError(status: 429, message: "Rate limit reached for requests. Please try again in 20ms.")

    /// A stream with a data line that is not JSON.
    public static let malformedJSON = FakeLLMReply(text: "This answer is cut short by garbage", failure: .badJSON)

    /// A stream that ends without its completion event.
    public static let truncatedStream = FakeLLMReply(text: "This answer just stops", failure: .truncated)

    /// A stream that reports an overload in an error event before any output.
    public static let overloadedInStream = FakeLLMReply(text: "Never sent", failure: .streamError(message: "Overloaded"))

    /// A stream of `text` in `chunks` deltas that falls silent after `delivered` of them, its connection left open.
    public static func stalled(afterChunks delivered: Int, text: String = "This answer stops halfway and never ends", chunks: Int = 4) -> FakeLLMReply {
        FakeLLMReply(text: text, textChunks: chunks, failure: .stall(afterTextDeltas: delivered))
    }

    /// A request that is never answered: no status, no headers, the connection left open.
    public static let neverAnswered = FakeLLMReply(text: "Never sent", failure: .stallBeforeHeaders)
}

/// A tool call a scripted reply makes.
public struct FakeToolCall: Sendable {
    /// The call id; the server makes one in the API's style (`call_…`, `toolu_…`) when `nil`.
    public var id: String?
    public var name: String
    public var arguments: JSONValue

    public init(id: String? = nil, name: String, arguments: JSONValue = .emptyObject) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// The token counts a scripted reply reports.
public struct FakeUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 25, outputTokens: Int = 10) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

extension FakeLLMReply {
    /// `text` in `textChunks` pieces that concatenate back to it (fewer when it is short).
    var textPieces: [String] {
        Self.split(text, into: textChunks)
    }

    static func split(_ text: String, into count: Int) -> [String] {
        let characters = Array(text)
        guard !characters.isEmpty else { return [] }
        let size = max(1, (characters.count + count - 1) / count)
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
