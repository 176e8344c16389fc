import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// Makes live reads (SSE or NDJSON) that run until the client goes away or the server shuts down.
///
/// History is written by the response's task; once the read has caught up, new events go
/// to the connection straight from the publisher (`ChannelLiveSink`), encoded once for all
/// readers (`EncodedFrameCache`). The client's disconnect cancels the read at once (its
/// mailbox is released); graceful shutdown ends it after what is already in flight.
struct LiveResponder: Sendable {
    let frames = EncodedFrameCache()
    let writeQueues = EventLoopWriteQueues()

    func response(
        to request: Request, on channel: any Channel, tail: LiveTail, encoder: EventEncoder, headers extra: HTTPFields
    ) -> Response {
        var headers: HTTPFields = [
            .contentType: encoder.format.contentType, .cacheControl: "no-cache",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        headers.append(contentsOf: extra)
        let sink = ChannelLiveSink(
            channel: channel, encoder: encoder, frames: frames, queue: writeQueues.queue(for: channel.eventLoop))
        let tail = tail.handingLiveEvents(to: sink)
        return Response(
            status: .ok, headers: headers,
            body: .init { [frames] writer in
                try await request.body.consumeWithCancellationOnInboundClose { _ in
                    try await withGracefulShutdownHandler {
                        // An SSE comment first, so clients see the stream open before any event.
                        if encoder.format == .sse { try await writer.write(ByteBuffer(string: ": connected\n\n")) }
                        for try await delivery in tail {
                            switch delivery {
                            case .events(let events):
                                try await writer.write(frames.encoded(events, encoder: encoder).frames)
                            case .idle where !encoder.keepAlive.isEmpty:
                                try await writer.write(ByteBuffer(bytes: encoder.keepAlive))
                            case .idle, .passed:
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
