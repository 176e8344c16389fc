import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 for webhook tests: it records every
/// request and answers each with a status chosen by the request's index (from
/// 0), an empty body and `Connection: close`.
struct LoopbackHTTPServer: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        var uri: String
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    let port: Int
    fileprivate let recorder: Recorder

    /// `http://127.0.0.1:<port>/hook`
    var url: String { "http://127.0.0.1:\(port)/hook" }
    /// The requests received so far, in order.
    var requests: [Request] { recorder.requests.withLock { $0 } }

    /// Runs `body` with a listening server, then closes it.
    static func with<T>(
        status: @escaping @Sendable (_ requestIndex: Int) -> Int = { _ in 200 },
        _ body: (LoopbackHTTPServer) async throws -> T
    ) async throws -> T {
        let recorder = Recorder(status: status)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = LoopbackHTTPServer(port: channel.localAddress?.port ?? 0, recorder: recorder)
        do {
            let result = try await body(server)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// A loopback URL nothing listens on, so connecting is refused.
    static func refusingURL() async throws -> String {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return "http://127.0.0.1:\(port)/hook"
    }
}

fileprivate final class Recorder: Sendable {
    let requests = Mutex<[LoopbackHTTPServer.Request]>([])
    let status: @Sendable (Int) -> Int

    init(status: @escaping @Sendable (Int) -> Int) {
        self.status = status
    }

    /// Records a request; returns the status to answer it with.
    func record(_ request: LoopbackHTTPServer.Request) -> Int {
        let index = requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return status(index)
    }
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: Recorder
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(recorder: Recorder) {
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let status = recorder.record(
                LoopbackHTTPServer.Request(method: head.method, uri: head.uri, headers: head.headers, body: body))
            let headers: HTTPHeaders = ["Content-Length": "0", "Connection": "close"]
            let response = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        }
    }
}
