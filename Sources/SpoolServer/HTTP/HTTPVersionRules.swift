import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// What a request's HTTP version requires, applied where the version is still known: before
/// the conversion to HTTP types, which drops it (`MalformedRequestResponder` puts this handler
/// there).
/// - RFC 9112 §3.2: an HTTP/1.1 request without a `Host` header, and any request with more than
///   one (a proxy may have judged one and the server the other), is a bad request. This handler
///   drops it and what follows it on the connection and reports `BadHostHeader`, which
///   `MalformedRequestResponder` answers with the contract's JSON 400 before closing.
/// - RFC 9112 §9.3: an HTTP/1.0 connection closes after the response unless the request asks
///   to keep it alive, so such a request goes on marked `Connection: close`.
/// - RFC 9110 §10.1.1: an HTTP/1.0 request's `Expect: 100-continue` is ignored (its client
///   cannot read a `100 Continue`), so it goes on without `Expect`.
/// - HTTP/1.0 has no chunked encoding: a response to it goes out as HTTP/1.0, and one without a
///   `Content-Length` (a streamed read) ends when the connection closes. One that keeps the
///   connection alive says so (`Connection: keep-alive`), as HTTP/1.0 clients expect.
final class HTTPVersionRules: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The error reported for a request whose `Host` headers break RFC 9112 §3.2.
    struct BadHostHeader: Error, CustomStringConvertible {
        var description: String
        static let missing = BadHostHeader(description: "an HTTP/1.1 request needs a Host header")
        static let repeated = BadHostHeader(description: "a request may have only one Host header")
    }

    private var refusing = false
    /// The requests passed on whose responses have not ended, oldest first.
    private var answering: [Request] = []

    private enum Request {
        case http11
        case http10(keepAlive: Bool)
    }
    /// Whether the response being written ends with the connection.
    private var closingAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusing else { return }
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let isHTTP10 = head.version.major == 1 && head.version.minor == 0
        let hosts = head.headers["host"].count
        if hosts > 1 || (hosts == 0 && !isHTTP10 && head.version.major == 1) {
            refusing = true
            context.fireErrorCaught(hosts > 1 ? BadHostHeader.repeated : BadHostHeader.missing)
            return
        }
        answering.append(isHTTP10 ? .http10(keepAlive: head.isKeepAlive) : .http11)
        guard isHTTP10 else {
            context.fireChannelRead(data)
            return
        }
        if !head.isKeepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        head.headers.remove(name: "expect")
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            guard case .http10(let keepAlive) = answering.first else {
                context.write(data, promise: promise)
                return
            }
            head.version = .http1_0
            if !head.headers.contains(name: "content-length") {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                closingAfterResponse = true
            } else if keepAlive, !head.headers[canonicalForm: "connection"].contains("close") {
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !answering.isEmpty:
            answering.removeFirst()
            guard closingAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            closingAfterResponse = false
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.write(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }

    /// Puts the rules before the conversion to HTTP types in `pipeline`.
    static func insert(into pipeline: ChannelPipeline.SynchronousOperations) throws {
        let conversion = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
        try pipeline.addHandler(HTTPVersionRules(), position: .before(conversion))
    }
}
