import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 for webhook tests: it records every
/// request and answers each with a status chosen by the request's index (from
/// 0), a `Location` if one is chosen for it, an empty body and `Connection: close`.
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
        location: @escaping @Sendable (_ requestIndex: Int) -> String? = { _ in nil },
        _ body: (LoopbackHTTPServer) async throws -> T
    ) async throws -> T {
        let recorder = Recorder(status: status, location: location)
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
    /// Runs `body` with a loopback URL whose port refuses connections: bound but not listening,
    /// and held for the whole body, so no other test's server can take the port meanwhile.
    static func withRefusingURL<T>(_ body: (String) async throws -> T) async throws -> T {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw IOError(errnoCode: errno, reason: "bind") }
        return try await body("http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/hook")
    }
}

fileprivate final class Recorder: Sendable {
    let requests = Mutex<[LoopbackHTTPServer.Request]>([])
    let status: @Sendable (Int) -> Int
    let location: @Sendable (Int) -> String?

    init(status: @escaping @Sendable (Int) -> Int, location: @escaping @Sendable (Int) -> String?) {
        self.status = status
        self.location = location
    }

    /// Records a request; returns the status and `Location` to answer it with.
    func record(_ request: LoopbackHTTPServer.Request) -> (status: Int, location: String?) {
        let index = requests.withLock { requests in
            requests.append(request)
            return requests.count - 1
        }
        return (status(index), location(index))
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
            let answer = recorder.record(
                LoopbackHTTPServer.Request(method: head.method, uri: head.uri, headers: head.headers, body: body))
            var headers: HTTPHeaders = ["Content-Length": "0", "Connection": "close"]
            if let location = answer.location { headers.add(name: "Location", value: location) }
            let response = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        }
    }
}
