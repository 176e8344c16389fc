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

    /// Opens a live SSE read of `path` after `after`; `connected` is called when
    /// the response starts, the result comes once `expected` bench events arrived.
    /// - Returns: append→receive latencies in nanoseconds, from each event's `sentAt`.
    func subscribe(
        _ path: String, after: Int, expected: Int, connected: @escaping @Sendable () -> Void
    ) async throws -> [UInt64] {
        let head = requestHead(.GET, "/streams\(path)?live=true&after=\(after)")
        return try await run { done in
            LatencySubscriber(head: head, expected: expected, connected: connected, done: done)
        }
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

/// Reads an SSE response and measures, per bench event, now − `sentAt`.
///
/// Frames are found with `memchr` straight in the received bytes: with a
/// thousand subscribers on two shared cores, a generic byte search here cost
/// more CPU than the server's whole fan-out and inflated the measured latency.
final class LatencySubscriber: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let head: HTTPRequestHead
    let expected: Int
    let connected: @Sendable () -> Void
    let done: EventLoopPromise<[UInt64]>
    var latencies: [UInt64] = []
    /// The start of a frame whose end has not arrived yet.
    var partial = ByteBuffer()
    static let marker = Array(#""sentAt":"#.utf8)
    static let frameEnd = Array("\n\n".utf8)

    init(head: HTTPRequestHead, expected: Int, connected: @escaping @Sendable () -> Void, done: EventLoopPromise<[UInt64]>) {
        self.head = head
        self.expected = expected
        self.connected = connected
        self.done = done
        latencies.reserveCapacity(expected)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            guard response.status == .ok else {
                done.fail(BenchError("live read answered \(response.status)"))
                return
            }
            connected()
        case .body(var buffer):
            let received = RawHTTPLoad.now()
            if partial.readableBytes > 0 {
                partial.writeBuffer(&buffer)
                buffer = partial
            }
            let consumed = buffer.withUnsafeReadableBytes { consumeFrames($0, receivedAt: received) }
            buffer.moveReaderIndex(forwardBy: consumed)
            partial = buffer.readableBytes > 0 ? ByteBuffer(buffer.readableBytesView) : ByteBuffer()
            if latencies.count >= expected { done.succeed(latencies) }
        case .end:
            done.succeed(latencies)
        }
    }

    /// Measures every complete SSE frame (ending in a blank line) in `bytes`.
    /// - Returns: how many bytes the complete frames took.
    private func consumeFrames(_ bytes: UnsafeRawBufferPointer, receivedAt received: UInt64) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var frameStart = 0
        while let end = Self.find(Self.frameEnd, in: base + frameStart, count: bytes.count - frameStart) {
            let frame = UnsafeRawBufferPointer(start: base + frameStart, count: end)
            if let sent = Self.sentAt(frame) { latencies.append(received &- sent) }
            frameStart += end + 2
        }
        return frameStart
    }

    /// The offset of `needle` in the `count` bytes at `start`, if there (`memchr` for its first byte, then `memcmp`).
    static func find(_ needle: [UInt8], in start: UnsafeRawPointer, count: Int) -> Int? {
        var offset = 0
        while count - offset >= needle.count {
            guard let hit = memchr(start + offset, Int32(needle[0]), count - offset - needle.count + 1) else { return nil }
            let candidate = UnsafeRawPointer(hit) - start
            if memcmp(start + candidate, needle, needle.count) == 0 { return candidate }
            offset = candidate + 1
        }
        return nil
    }

    static func sentAt(_ frame: UnsafeRawBufferPointer) -> UInt64? {
        guard let base = frame.baseAddress, let found = find(marker, in: base, count: frame.count) else { return nil }
        let start = found + marker.count
        var value: UInt64 = 0
        var index = start
        while index < frame.count, frame[index] >= 0x30, frame[index] <= 0x39 {
            value = value * 10 + UInt64(frame[index] - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(latencies)
    }
}
