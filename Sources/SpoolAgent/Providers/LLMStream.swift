/// A streamed answer: text deltas, tool calls as they start, then `.completed`.
///
/// Network-backed streams are pulled: each `next()` reads from the connection,
/// so a slow consumer slows the provider instead of growing a buffer. Iterate a
/// stream once. Cancelling the iterating task cancels the HTTP request.
public struct LLMStream: AsyncSequence, Sendable {
    public typealias Element = LLMStreamEvent

    private let makeNext: @Sendable () -> () async throws -> LLMStreamEvent?

    /// A stream whose iterator calls the closure that `makeNext` returns until it returns `nil`.
    public init(makeNext: @escaping @Sendable () -> () async throws -> LLMStreamEvent?) {
        self.makeNext = makeNext
    }

    /// A stream of the elements of `sequence`.
    public init<Source: AsyncSequence & Sendable>(_ sequence: Source) where Source.Element == LLMStreamEvent {
        self.init {
            let box = IteratorBox(sequence.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    /// A stream of fixed events, for offline providers and tests.
    public init(events: [LLMStreamEvent]) {
        self.init {
            var remaining = events[...]
            return { remaining.popFirst() }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextEvent: makeNext())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let nextEvent: () async throws -> LLMStreamEvent?

        public mutating func next() async throws -> LLMStreamEvent? {
            try await nextEvent()
        }
    }

    /// Reads the whole stream and returns its final response.
    ///
    /// Throws ``LLMError`` when the stream ends without a `.completed` event.
    public func response() async throws -> LLMResponse {
        for try await event in self {
            if case .completed(let response) = event { return response }
        }
        throw LLMError("the answer stream ended without a completed response", retryable: true)
    }
}

private final class IteratorBox<Base: AsyncIteratorProtocol> {
    var base: Base
    init(_ base: Base) { self.base = base }
    func next() async throws -> Base.Element? { try await base.next() }
}
