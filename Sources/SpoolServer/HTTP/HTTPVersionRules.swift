import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// What a request's HTTP version requires, applied before the conversion to HTTP types, which
/// drops the version (`MalformedRequestResponder` puts this handler there):
/// - RFC 9112 §3.2: an HTTP/1.1 request without a `Host` header is a bad request. This handler
///   drops it and what follows it on the connection and reports `MissingHostHeader`, which
///   `MalformedRequestResponder` answers with the contract's JSON 400 before closing.
/// - RFC 9112 §9.3: an HTTP/1.0 connection closes after the response unless the request asks
///   to keep it alive, so such a request goes on marked `Connection: close`.
final class HTTPVersionRules: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// The error reported for an HTTP/1.1 request without a `Host` header.
    struct MissingHostHeader: Error, CustomStringConvertible {
        var description: String { "an HTTP/1.1 request needs a Host header" }
    }

    private var refusing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refusing else { return }
        guard case .head(var head) = unwrapInboundIn(data), head.version.major == 1 else {
            context.fireChannelRead(data)
            return
        }
        if head.version.minor >= 1, !head.headers.contains(name: "host") {
            refusing = true
            context.fireErrorCaught(MissingHostHeader())
        } else if head.version.minor == 0, !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
        } else {
            context.fireChannelRead(data)
        }
    }

    /// Puts the rules before the conversion to HTTP types in `pipeline`.
    static func insert(into pipeline: ChannelPipeline.SynchronousOperations) throws {
        let conversion = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
        try pipeline.addHandler(HTTPVersionRules(), position: .before(conversion))
    }
}
