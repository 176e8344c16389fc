import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import SpoolCore
import SpoolStore
import Synchronization

/// Writes a caught-up live read's events to its connection on the connection's event loop,
/// straight from the publisher, without waking the response's task for each event.
///
/// Frames go to the loop in commit order, after whatever the response wrote before the sink
/// started (the loop runs jobs in order, and the sink holds frames until its own start job
/// has run). A connection whose client reads too slowly (the channel is no longer writable)
/// makes the sink stop and hand the read back, to catch up from the store at the client's
/// pace: a slow client never makes the server buffer more than the channel's watermark.
final class ChannelLiveSink: LiveSink {
    private struct State {
        /// Whether frames may still be written: from `start` until `stop` or falling behind.
        var active = false
        /// Whether the loop has run everything the response queued before `start`.
        var ready = false
        /// Chunks that reached the loop before it was ready.
        var held: [(encoded: EncodedChunk, cursor: Int)] = []
        /// The cursor of the last event handed to the loop (the publishing thread's side).
        var received = 0
        /// The cursor of the last event written to the channel (the loop's side).
        var written = 0
        var fallingBehind: (@Sendable () -> Void)?
        /// The HTTP/1 encoder's place in the pipeline: chunks written there go out as they are.
        var encoderContext: ChannelHandlerContext?
    }

    private let state = Mutex(State())
    private let channel: any Channel
    private let encoder: EventEncoder
    private let frames: EncodedFrameCache
    private let queue: EventLoopWriteQueue

    init(channel: any Channel, encoder: EventEncoder, frames: EncodedFrameCache, queue: EventLoopWriteQueue) {
        self.channel = channel
        self.encoder = encoder
        self.frames = frames
        self.queue = queue
    }

    func start(after cursor: Int, fallingBehind: @escaping @Sendable () -> Void) -> Bool {
        guard channel.isWritable else { return false }
        state.withLock { $0 = State(active: true, received: cursor, written: cursor, fallingBehind: fallingBehind) }
        // Runs after the response's earlier writes, which its writer has already queued on the loop.
        channel.eventLoop.execute { self.becomeReady() }
        return true
    }

    func receive(_ events: [Event]) {
        let key = encoder.sseID
        let fresh: [Event]? = state.withLock { state in
            guard state.active, let last = events.last, key.of(last) > state.received else { return nil }
            let cursor = state.received
            state.received = key.of(last)
            return key.events(events, after: cursor)
        }
        guard let fresh, let last = fresh.last else { return }
        queue.enqueue(.init(sink: self, encoded: frames.encoded(fresh, encoder: encoder), cursor: key.of(last)))
    }

    func stop() async -> Int {
        let stopped = { @Sendable in
            self.state.withLock { state in
                state.active = false
                state.held = []
                return state.written
            }
        }
        // On the loop, so no write is under way; a loop that is gone writes nothing any more.
        return (try? await channel.eventLoop.submit(stopped).get()) ?? stopped()
    }

    /// Writes one chunk of frames; on the channel's event loop.
    func write(_ encoded: EncodedChunk, through cursor: Int) {
        enum Next { case skip, write(beneathEncoder: ChannelHandlerContext?), fallBehind(@Sendable () -> Void) }
        let next: Next = state.withLock { state in
            guard state.active else { return .skip }
            guard state.ready else {
                state.held.append((encoded, cursor))
                return .skip
            }
            guard channel.isWritable else {
                state.active = false
                state.held = []
                return state.fallingBehind.take().map(Next.fallBehind) ?? .skip
            }
            state.written = cursor
            return .write(beneathEncoder: state.encoderContext)
        }
        switch next {
        case .skip: return
        case .write(let encoderContext):
            // A live response is HTTP/1.1 without a length, so its body goes out in chunks: written
            // beneath the encoder, a cached chunk passes no handler and costs no framing of its own.
            if let context = encoderContext {
                context.writeAndFlush(NIOAny(IOData.byteBuffer(encoded.chunk)), promise: nil)
            } else {
                channel.writeAndFlush(HTTPResponsePart.body(encoded.frames), promise: nil)
            }
        case .fallBehind(let handBack): handBack()
        }
    }

    private func becomeReady() {
        let held: [(encoded: EncodedChunk, cursor: Int)] = state.withLock { state in
            guard state.active else { return [] }
            state.ready = true
            state.encoderContext = try? channel.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
            defer { state.held = [] }
            return state.held
        }
        for (encoded, cursor) in held { write(encoded, through: cursor) }
    }
}
