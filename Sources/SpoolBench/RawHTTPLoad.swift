import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A lean HTTP/1.1 load generator: each connection runs entirely on its event
/// loop with no task hops, like wrk, so the benchmark spends the shared CPU on
/// the server rather than on itself.
struct RawHTTPLoad: Sendable {
    let host: String
    let port: Int
    let token: String?

    init(baseURL: String, token: String?) throws {
        guard let url = URL(string: baseURL), let host = url.host, let port = url.port else {
            throw BenchError("cannot use server URL \(baseURL)")
        }
        self.host = host
        self.port = port
        self.token = token
    }

    /// Sends `count` POSTs to `path` one after another on one connection.
    /// - Returns: each request's latency in nanoseconds.
    func post(
        _ path: String, count: Int, pause: TimeAmount? = nil,
        body: @escaping @Sendable () -> ByteBuffer
    ) async throws -> [UInt64] {
        var head = requestHead(.POST, "/streams" + path)
        head.headers.add(name: "Content-Type", value: "application/json")
        let postHead = head
        return try await run { done in
            SequentialRequester(head: postHead, count: count, pause: pause, makeBody: body, done: done)
        }
    }

    /// The request for a live SSE read of `path` after offset `after`, as sent on the wire.
    func liveRequest(_ path: String, after: Int) -> String {
        var head = requestHead(.GET, "/streams\(path)?live=true&after=\(after)")
        head.headers.add(name: "Accept", value: "text/event-stream")
        let fields = head.headers.map { "\($0.name): \($0.value)\r\n" }.joined()
        return "\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n\(fields)\r\n"
    }

    private func requestHead(_ method: HTTPMethod, _ uri: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return head
    }

    /// Connects one channel whose handler (made on its event loop) completes `done` with latencies.
    private func run(
        _ makeHandler: @escaping @Sendable (EventLoopPromise<[UInt64]>) -> some ChannelInboundHandler
    ) async throws -> [UInt64] {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: [UInt64].self)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(makeHandler(done))
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        return try await done.futureResult.get()
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// Sends a request, waits for the whole response, records the latency, repeats.
final class SequentialRequester: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let count: Int
    let pause: TimeAmount?
    let makeBody: @Sendable () -> ByteBuffer
    let done: EventLoopPromise<[UInt64]>
    var latencies: [UInt64] = []
    var started: UInt64 = 0
    var failed: String?

    init(head: HTTPRequestHead, count: Int, pause: TimeAmount?, makeBody: @escaping @Sendable () -> ByteBuffer, done: EventLoopPromise<[UInt64]>) {
        self.head = head
        self.count = count
        self.pause = pause
        self.makeBody = makeBody
        self.done = done
        latencies.reserveCapacity(count)
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
    }

    private func send(context: ChannelHandlerContext) {
        let body = makeBody()
        var head = self.head
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        started = RawHTTPLoad.now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            if response.status != .created && response.status != .ok { failed = "append answered \(response.status)" }
        case .body:
            break
        case .end:
            latencies.append(RawHTTPLoad.now() - started)
            if let failed {
                done.fail(BenchError(failed))
            } else if latencies.count == count {
                done.succeed(latencies)
            } else if let pause {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: pause) { loopBound.value.0.send(context: loopBound.value.1) }
            } else {
                send(context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(BenchError("connection closed after \(latencies.count) of \(count) requests"))
    }
}
