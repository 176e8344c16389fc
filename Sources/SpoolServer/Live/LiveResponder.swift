import HTTPTypes
import Hummingbird
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// A live read (SSE or NDJSON) that runs until the client goes away or the server shuts down.
///
/// The client's disconnect cancels it at once (its mailbox is released);
/// graceful shutdown ends it after what is already in flight.
enum LiveResponse {
    static func make(
        request: Request, tail: LiveTail, encoder: EventEncoder, cache: EncodedFrameCache, headers extra: HTTPFields
    ) -> Response {
        var headers: HTTPFields = [
            .contentType: encoder.format.contentType, .cacheControl: "no-cache",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        headers.append(contentsOf: extra)
        return Response(
            status: .ok, headers: headers,
            body: .init { writer in
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await withGracefulShutdownHandler {
                        // An SSE comment first, so clients see the stream open before any event.
                        if encoder.format == .sse { try await writer.write(ByteBuffer(string: ": connected\n\n")) }
                        for try await delivery in tail {
                            switch delivery {
                            case .events(let events):
                                try await writer.write(cache.frames(for: events, encoder: encoder))
                            case .idle where !encoder.keepAlive.isEmpty:
                                try await writer.write(ByteBuffer(bytes: encoder.keepAlive))
                            case .idle:
                                continue
                            case .overflowed, .closed:
                                return
                            }
                        }
                    } onGracefulShutdown: {
                        tail.close()
                    }
                }
                try await writer.finish(nil)
            })
    }
}
