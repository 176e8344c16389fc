import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import SpoolCore
import Synchronization

/// An in-process LLM API on a free loopback port that streams scripted
/// replies exactly as OpenAI Chat Completions (`POST /v1/chat/completions`),
/// OpenAI Responses (`POST /v1/responses`) and Anthropic Messages
/// (`POST /v1/messages`) do, and records every request.
///
/// Replies are taken from a queue in arrival order, whatever the API; when the
/// queue is empty, `fallback` answers (without one, the server answers 500).
/// Replies without a `delay` are written in one go: the zero-latency mode
/// that harness benchmarks use. A reply that stalls (``FakeLLMReply/stalled(afterChunks:text:chunks:)``,
/// ``FakeLLMReply/neverAnswered``) holds its connection open until the client
/// closes it, which the server records (``hungUpRequests``), or until `with` returns.
///
/// ```swift
/// try await FakeLLMServer.with(replies: [.rateLimited, .text("Hello")]) { server in
///     let provider = OpenAIChatProvider(baseURL: server.openAIBaseURL, apiKey: "test")
///     let answer = try await provider.stream(request).response()
///     #expect(server.requestCount == 2)
/// }
/// ```
public struct FakeLLMServer: Sendable {
    public let port: Int
    /// `http://127.0.0.1:PORT`: the base URL for Anthropic.
    public let baseURL: String
    private let script: FakeLLMScript

    /// `http://127.0.0.1:PORT/v1`: the base URL for OpenAI Chat and Responses.
    public var openAIBaseURL: String { baseURL + "/v1" }

    /// Runs `body` against a running server, then shuts the server down.
    ///
    /// - Parameters:
    ///   - replies: the scripted replies, in order.
    ///   - fallback: answers requests once `replies` are used up.
    public static func with<T: Sendable>(
        replies: [FakeLLMReply] = [], fallback: (@Sendable (FakeLLMRequest) -> FakeLLMReply)? = nil,
        _ body: @Sendable (FakeLLMServer) async throws -> T
    ) async throws -> T {
        let script = FakeLLMScript(replies: replies, fallback: fallback)
        var logger = Logger(label: "fake-llm")
        logger.logLevel = .error
        let router = Router(context: BasicRequestContext.self)
        for (path, api) in [
            ("/v1/chat/completions", FakeLLMRequest.API.openAIChat), ("/v1/responses", .openAIResponses),
            ("/v1/messages", .anthropicMessages),
        ] {
            router.post(RouterPath(path)) { request, _ in try await script.respond(to: request, api: api) }
        }
        return try await withLoopbackServer(router.buildResponder(), serverName: "fake-llm", logger: logger) { port in
            // A stalled reply would keep the server's graceful shutdown waiting.
            defer { script.endStalls() }
            return try await body(FakeLLMServer(port: port, baseURL: "http://127.0.0.1:\(port)", script: script))
        }
    }

    /// Adds replies to the end of the queue.
    public func enqueue(_ replies: FakeLLMReply...) {
        script.enqueue(replies)
    }

    /// Adds replies to the end of the queue.
    public func enqueue(contentsOf replies: [FakeLLMReply]) {
        script.enqueue(replies)
    }

    /// Every request received so far, in arrival order.
    public var requests: [FakeLLMRequest] { script.requests }

    public var requestCount: Int { script.requests.count }

    /// Scripted replies not yet used.
    public var pendingReplyCount: Int { script.pendingReplyCount }

    /// Waits until at least `count` requests arrived; returns whether they did within `timeout`.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(5)) { requestCount >= count }
    }

    /// The numbers of the requests whose reply stalled, in the order they stalled.
    public var stalledRequests: [Int] { script.stalledRequests }

    /// The numbers of the stalled requests whose client closed the connection during the stall.
    public var hungUpRequests: [Int] { script.hungUpRequests }

    /// Waits until the reply to request `number` stalls; returns whether it did within `timeout`.
    public func waitForStall(ofRequest number: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(5)) { stalledRequests.contains(number) }
    }

    /// Waits until the client of stalled request `number` closes its connection; returns whether it did within `timeout`.
    public func waitForHangUp(ofRequest number: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await eventually(timeout: timeout, every: .milliseconds(5)) { hungUpRequests.contains(number) }
    }
}

/// The reply queue and the request log, shared by the route handlers.
final class FakeLLMScript: Sendable {
    private struct State {
        var replies: [FakeLLMReply]
        var requests: [FakeLLMRequest] = []
        /// The stalls under way, by request number, with what ends each.
        var stalls: [Int: AsyncStream<Void>.Continuation] = [:]
        var stalledRequests: [Int] = []
        var hungUpRequests: [Int] = []
        /// Set once the server is about to stop: no reply stalls any more.
        var stallsEnded = false
    }

    private let state: Mutex<State>
    private let fallback: (@Sendable (FakeLLMRequest) -> FakeLLMReply)?

    init(replies: [FakeLLMReply], fallback: (@Sendable (FakeLLMRequest) -> FakeLLMReply)?) {
        state = Mutex(State(replies: replies))
        self.fallback = fallback
    }

    func enqueue(_ replies: [FakeLLMReply]) {
        state.withLock { $0.replies += replies }
    }

    var requests: [FakeLLMRequest] { state.withLock { $0.requests } }
    var pendingReplyCount: Int { state.withLock { $0.replies.count } }
    var stalledRequests: [Int] { state.withLock { $0.stalledRequests } }
    var hungUpRequests: [Int] { state.withLock { $0.hungUpRequests } }

    /// Holds the reply to request `number` until its client closes the connection (noticed by
    /// reading the connection past `request`'s body) or the server is about to stop.
    func stall(_ number: Int, request: Request) async {
        let (ended, end) = AsyncStream<Void>.makeStream()
        let stalls = state.withLock { state in
            state.stalledRequests.append(number)
            if !state.stallsEnded { state.stalls[number] = end }
            return !state.stallsEnded
        }
        guard stalls else { return }
        _ = try? await request.body.consumeWithInboundCloseHandler { _ in
            for await _ in ended {}
        } onInboundClosed: {
            // Also called when the stall ended first and the connection is no longer read: that is no hang-up.
            let hungUp = self.state.withLock { state in
                guard state.stalls.removeValue(forKey: number) != nil else { return false }
                state.hungUpRequests.append(number)
                return true
            }
            if hungUp { end.finish() }
        }
        // Still registered, so neither a hang-up seen above nor the server's stop ended the wait: the
        // connection closed before its close could be watched (a client that gave up while this
        // server, slowed by a loaded machine, had not reached the stall yet). That is a hang-up too.
        state.withLock { state in
            if state.stalls.removeValue(forKey: number) != nil { state.hungUpRequests.append(number) }
        }
    }

    /// Ends every stall, and keeps replies from stalling from now on.
    func endStalls() {
        let stalls = state.withLock { state in
            state.stallsEnded = true
            defer { state.stalls = [:] }
            return state.stalls.values
        }
        for end in stalls { end.finish() }
    }

    func respond(to request: Request, api: FakeLLMRequest.API) async throws -> Response {
        // Collected into the request, which keeps the connection readable: a stall watches it close.
        var collected = request
        let bytes = try await collected.collectBody(upTo: 64 << 20)
        let request = collected
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let (recorded, scripted) = state.withLock { state -> (FakeLLMRequest, FakeLLMReply?) in
            let recorded = FakeLLMRequest(
                api: api, number: state.requests.count + 1, method: request.method.rawValue, path: request.uri.path,
                headers: headers, body: (try? JSONValue.parse(bytes.readableBytesView)) ?? .null, receivedAt: .now)
            state.requests.append(recorded)
            return (recorded, state.replies.isEmpty ? nil : state.replies.removeFirst())
        }
        let requestID = "req_fake\(recorded.number)"
        let reply =
            scripted ?? fallback?(recorded)
            ?? .httpError(status: 500, message: "FakeLLMServer has no scripted reply left for request \(recorded.number)")
        if reply.failure == .stallBeforeHeaders {
            await stall(recorded.number, request: request)
            return Response(status: .serviceUnavailable)
        }
        if case .httpStatus(let status, let message) = reply.failure {
            let body = api.errorBody(status: status, message: message, requestID: requestID)
            return Response(
                status: HTTPResponse.Status(code: status),
                headers: [.contentType: "application/json", HTTPField.Name(api.requestIDHeader)!: requestID],
                body: ResponseBody(byteBuffer: ByteBuffer(string: body.jsonString)))
        }
        let context = FakeWireContext(
            number: recorded.number, model: recorded.model ?? "fake-model",
            includeUsage: recorded.body["stream_options"]?["include_usage"]?.boolValue == true,
            created: Int64(Date().timeIntervalSince1970))
        let frames = api.frames(for: reply, context: context)
        let delay = reply.delay
        let stalls = if case .stall = reply.failure { true } else { false }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                HTTPField.Name(api.requestIDHeader)!: requestID,
            ],
            body: ResponseBody { writer in
                if delay == .zero {
                    try await writer.write(ByteBuffer(string: frames.joined()))
                } else {
                    for (index, frame) in frames.enumerated() {
                        if index > 0 { try await Task.sleep(for: delay) }
                        try await writer.write(ByteBuffer(string: frame))
                    }
                }
                if stalls { await self.stall(recorded.number, request: request) }
                try await writer.finish(nil)
            })
    }
}
