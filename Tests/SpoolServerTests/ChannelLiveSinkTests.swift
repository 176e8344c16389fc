import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import SpoolCore
import SpoolStore
import Synchronization
import Testing

@testable import SpoolServer

/// What a caught-up live read writes to its connection, on an embedded channel whose event
/// loop runs its jobs only when told to.
@Suite struct ChannelLiveSinkTests {
    let loop = EmbeddedEventLoop()
    let frames = EncodedFrameCache()
    let encoder = EventEncoder(format: .sse, sseID: .offset)

    private func event(_ offset: Int) throws -> Event {
        Event(
            streamPath: try StreamPath("/s"), offset: offset, position: offset, type: "t", payloadJSON: "{}",
            createdAt: Timestamp(millisecondsSinceEpoch: 0))
    }

    private func sink(on channel: EmbeddedChannel, queue: EventLoopWriteQueue) -> ChannelLiveSink {
        ChannelLiveSink(channel: channel, encoder: encoder, frames: frames, queue: queue)
    }

    /// The SSE ids of the body parts written to `channel` so far.
    private func writtenIDs(_ channel: EmbeddedChannel) throws -> [String] {
        var ids: [String] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            guard case .body(let buffer) = part else { continue }
            let text = String(buffer: buffer)
            for line in text.split(separator: "\n") where line.hasPrefix("id: ") { ids.append(String(line.dropFirst(4))) }
            if !text.contains("id: ") { ids.append(text) }
        }
        return ids
    }

    /// The loop may run a burst's write job that was queued for other connections before this
    /// response's last history write; the sink's frames still come after that write.
    @Test func liveFramesFollowWhatTheResponseWroteBeforeTheSinkStarted() throws {
        let queue = EventLoopWriteQueue(eventLoop: loop)
        let other = EmbeddedChannel(loop: loop)
        let channel = EmbeddedChannel(loop: loop)
        let otherSink = sink(on: other, queue: queue)
        let liveSink = sink(on: channel, queue: queue)
        #expect(otherSink.start(after: 0) {})
        loop.run()
        otherSink.receive([try event(1)])  // queues the burst's write job
        // The response's writer queues its last history frame, then the read is caught up.
        loop.execute { channel.writeAndFlush(HTTPResponsePart.body(ByteBuffer(string: "history")), promise: nil) }
        #expect(liveSink.start(after: 0) {})
        liveSink.receive([try event(1)])  // joins the job queued before the history frame
        liveSink.receive([try event(2)])
        loop.run()
        #expect(try writtenIDs(channel) == ["history", "1", "2"])
        #expect(try writtenIDs(other) == ["1"])
    }

    @Test func eventsAtOrBeforeTheCursorAreSkipped() throws {
        let channel = EmbeddedChannel(loop: loop)
        let liveSink = sink(on: channel, queue: EventLoopWriteQueue(eventLoop: loop))
        #expect(liveSink.start(after: 2) {})
        liveSink.receive([try event(1), try event(2), try event(3)])
        liveSink.receive([try event(3)])
        liveSink.receive([try event(4)])
        loop.run()
        #expect(try writtenIDs(channel) == ["3", "4"])
    }

    /// A client that reads too slowly: the sink writes nothing more and hands the read back once.
    @Test func anUnwritableChannelHandsTheReadBack() throws {
        let channel = EmbeddedChannel(loop: loop)
        let liveSink = sink(on: channel, queue: EventLoopWriteQueue(eventLoop: loop))
        let handedBack = HandBackCount()
        #expect(liveSink.start(after: 0) { handedBack.increment() })
        liveSink.receive([try event(1)])
        loop.run()
        channel.isWritable = false
        liveSink.receive([try event(2)])
        liveSink.receive([try event(3)])
        loop.run()
        #expect(try writtenIDs(channel) == ["1"])
        #expect(handedBack.value == 1)
        channel.isWritable = true
        liveSink.receive([try event(4)])
        loop.run()
        #expect(try writtenIDs(channel) == [], "a sink that handed the read back wrote again")
    }

    @Test func anUnwritableChannelIsNotHandedEvents() throws {
        let channel = EmbeddedChannel(loop: loop)
        channel.isWritable = false
        let liveSink = sink(on: channel, queue: EventLoopWriteQueue(eventLoop: loop))
        #expect(!liveSink.start(after: 0) {})
    }

    /// The bytes an HTTP/1 pipeline puts on the wire after a live response's head, for `body`.
    private func wireBytes(_ body: (EmbeddedChannel) throws -> Void) throws -> String {
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(HTTPResponseEncoder())
        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok, headerFields: [.contentType: "text/event-stream"])))
        _ = try channel.readOutbound(as: IOData.self)  // the head
        try body(channel)
        loop.run()
        var bytes = ""
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = part else { continue }
            bytes += String(buffer: buffer)
        }
        return bytes
    }

    /// Chunks written beneath the encoder are the bytes the encoder itself would write.
    @Test func chunksWrittenBeneathTheEncoderMatchTheEncodersOwn() throws {
        let events = [try event(1), try event(2)]
        let byTheEncoder = try wireBytes { channel in
            for event in events {
                try channel.writeOutbound(HTTPResponsePart.body(frames.encoded([event], encoder: encoder).frames))
            }
        }
        let byTheSink = try wireBytes { channel in
            let liveSink = sink(on: channel, queue: EventLoopWriteQueue(eventLoop: loop))
            #expect(liveSink.start(after: 0) {})
            for event in events { liveSink.receive([event]) }
        }
        #expect(byTheEncoder.contains("\r\nid: 1\n"), "the encoder did not write the frames: \(byTheEncoder)")
        #expect(byTheSink == byTheEncoder)
    }
}

/// Counts hand-backs, from whichever thread.
final class HandBackCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
