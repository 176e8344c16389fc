import AsyncHTTPClient
import NIOCore
import SpoolClient
import SpoolCore
import Synchronization

extension LLMStream {
    /// The answer streamed in `response`, parsed by `parser`; when the
    /// connection or the provider fails before any output was returned, the
    /// request is sent again within the transport's retry budget.
    static func serverSentEvents(
        response: HTTPClientResponse, request: HTTPClientRequest, transport: ProviderTransport,
        parser: some StreamParser, failures: Int
    ) -> LLMStream {
        let first = TakeOnce(response)
        return LLMStream {
            let reader = SSEAnswerReader(
                response: first.take(), request: request, transport: transport, parser: parser, failures: failures)
            return { try await reader.next() }
        }
    }
}

/// A value that can be taken once, by whichever task asks first.
private final class TakeOnce<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>
    init(_ value: Value) { self.value = Mutex(value) }
    func take() -> Value? { value.withLock { $0.take() } }
}

/// Reads one streamed answer from the network, an event at a time.
private final class SSEAnswerReader<Parser: StreamParser> {
    private let request: HTTPClientRequest
    private let transport: ProviderTransport
    private let initialParser: Parser
    private var parser: Parser
    /// The response `stream(_:)` already received; `nil` once reading started.
    private var response: HTTPClientResponse?
    private var iteratedTwice: Bool
    private var body: HTTPClientResponse.Body.AsyncIterator?
    private var decoder = SSEDecoder()
    private var pending: [LLMStreamEvent] = []
    private var pendingIndex = 0
    private var deliveredOutput = false
    private var finished = false
    private var failures: Int

    init(response: HTTPClientResponse?, request: HTTPClientRequest, transport: ProviderTransport, parser: Parser, failures: Int) {
        self.response = response
        self.iteratedTwice = response == nil
        self.request = request
        self.transport = transport
        self.initialParser = parser
        self.parser = parser
        self.failures = failures
    }

    func next() async throws -> LLMStreamEvent? {
        if iteratedTwice {
            throw LLMError("\(transport.provider): an answer stream can be read only once", retryable: false)
        }
        while true {
            if pendingIndex < pending.count {
                let event = pending[pendingIndex]
                pendingIndex += 1
                deliveredOutput = true
                if case .completed = event {
                    finished = true
                    await drain()
                }
                return event
            }
            if finished { return nil }
            do {
                try await readMore()
            } catch {
                // A failed stream is over: later calls return nil, and the connection is released.
                finished = true
                body = nil
                throw error
            }
        }
    }

    /// Reads the next chunk of the body into `pending`, or the completion at its end.
    private func readMore() async throws {
        pending.removeAll(keepingCapacity: true)
        pendingIndex = 0
        if body == nil {
            if response == nil { response = try await transport.send(request, failures: &failures) }
            body = response?.body.makeAsyncIterator()
            response = nil
        }
        let read: BodyRead
        do {
            read = try await body?.next(within: transport.idleTimeout) ?? .end
        } catch {
            if Task.isCancelled { throw CancellationError() }
            try await restart(
                after: LLMError("\(transport.provider): the connection broke while streaming the answer: \(error)", retryable: true))
            return
        }
        do {
            switch read {
            case .silence:
                throw transport.silenceError(while: "while streaming the answer")
            case .end:
                pending.append(.completed(try parser.finish()))
            case .chunk(let chunk):
                for message in decoder.feed(chunk.readableBytesView) {
                    let events = try parser.consume(message)
                    pending.append(contentsOf: events)
                    if events.contains(where: \.isCompletion) { return }
                }
            }
        } catch let error as LLMError {
            try await restart(after: error)
        }
    }

    /// Starts over with a fresh request when nothing was returned yet and the
    /// failure may pass; otherwise throws it.
    private func restart(after error: LLMError) async throws {
        guard !deliveredOutput else { throw error.redacting(transport.apiKey?.value) }
        try await transport.retry(after: error, failures: &failures, retryAfter: nil)
        body = nil
        decoder = SSEDecoder()
        parser = initialParser
        pending.removeAll()
        pendingIndex = 0
    }

    /// Reads what follows the completion (normally just the end of the body),
    /// so the connection goes back to the pool instead of being closed; a
    /// provider that keeps the body open after its answer does not hold it up.
    private func drain() async {
        var remaining = 64 * 1024
        let limit = min(transport.idleTimeout, Self.drainLimit)
        while remaining > 0, case .chunk(let chunk)? = try? await body?.next(within: limit) {
            remaining -= chunk.readableBytes
        }
        body = nil
    }

    /// The longest wait for the end of the body after the completion.
    private static var drainLimit: Duration { .seconds(2) }
}

/// What waiting for the next chunk of a response body came to.
enum BodyRead: Sendable {
    case chunk(ByteBuffer)
    /// The body ended.
    case end
    /// Nothing arrived in time.
    case silence
}

extension HTTPClientResponse.Body.AsyncIterator {
    /// The next chunk of the body, its end, or `.silence` when nothing arrives within
    /// `limit`: the read is then cancelled, which closes the connection.
    mutating func next(within limit: Duration) async throws -> BodyRead {
        let reader = ReadingIterator(self)
        defer { self = reader.iterator }
        return try await withThrowingTaskGroup(of: BodyRead.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await reader.iterator.next().map(BodyRead.chunk) ?? .end }
            group.addTask {
                try await Task.sleep(for: limit)
                return .silence
            }
            return try await group.next() ?? .silence
        }
    }
}

/// Lends a body iterator to the child task that reads it against the clock. One task uses it
/// at a time: the child while it reads, the owner once the group has awaited its children.
private final class ReadingIterator: @unchecked Sendable {
    var iterator: HTTPClientResponse.Body.AsyncIterator
    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
}

extension LLMStreamEvent {
    var isCompletion: Bool {
        if case .completed = self { return true }
        return false
    }
}

extension ProviderTransport {
    /// POSTs `body` as JSON with `headers` and streams the Server-Sent Events answer through `parser`
    /// (retrying as the transport's policy says before anything streamed).
    func postStreaming(
        url: String, body: JSONValue, headers: [(name: String, value: String)], parser: some StreamParser
    ) async throws -> LLMStream {
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "text/event-stream")
        for header in headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(string: body.jsonString))
        var failures = 0
        let response = try await send(http, failures: &failures)
        return .serverSentEvents(response: response, request: http, transport: self, parser: parser, failures: failures)
    }
}
