import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SpoolCore

/// Answers a request the HTTP parser cannot read (an unknown method, headers over the
/// decoder's limits, broken framing) with the contract's JSON error, `400
/// invalid_request`, and closes the connection: left alone, Hummingbird answers these
/// with an empty 400.
///
/// A request whose `Host` headers break RFC 9112 §3.2 (none in HTTP/1.1, or more than one:
/// `HTTPVersionRules`, which this handler puts in place when it is added) is answered the same way.
///
/// Between requests only: if responses to earlier requests are still owed, the answer
/// waits until they are written; if the error comes in the middle of a request's body,
/// it goes on to Hummingbird, whose handler is reading that body.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests read whose response has not ended yet.
    private var responsesOwed = 0
    /// Between a request's head and its end.
    private var readingRequest = false
    /// A parser error waiting for the responses owed before it.
    private var pendingError: (any Error)?
    private var answered = false

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            try HTTPVersionRules.insert(into: context.pipeline.syncOperations)
        } catch {
            context.fireErrorCaught(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            responsesOwed += 1
            readingRequest = true
        case .body: break
        case .end: readingRequest = false
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        responsesOwed -= 1
        context.write(data, promise: promise)
        if responsesOwed == 0, let pendingError { answer(pendingError, context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError || error is HTTPVersionRules.BadHostHeader, !readingRequest else {
            context.fireErrorCaught(error)
            return
        }
        if responsesOwed == 0 {
            answer(error, context: context)
        } else if pendingError == nil {
            pendingError = error
        }
    }

    /// Writes the JSON 400 (once: the parser may report more than once) and closes.
    private func answer(_ error: any Error, context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        let refusal = SpoolError(.invalidRequest, "malformed HTTP request (\(error))")
        var body: [UInt8] = []
        refusal.jsonBody.write(to: &body)
        body.append(UInt8(ascii: "\n"))
        let head = HTTPResponse(
            status: .badRequest,
            headerFields: [.contentType: "application/json", .contentLength: String(body.count), .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
