import NIOCore
import SpoolCore
import SpoolStore
import Testing

@testable import SpoolServer

/// Frames encoded once and shared: whatever is cached, each caller gets the bytes of its own events.
@Suite struct EncodedFrameCacheTests {
    let cache = EncodedFrameCache()
    let sse = EventEncoder(format: .sse, sseID: .offset)

    private func events(_ offsets: ClosedRange<Int>) throws -> [Event] {
        try offsets.map { offset in
            Event(
                streamPath: try StreamPath("/s"), offset: offset, position: offset, type: "t", payloadJSON: "{}",
                createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
    }

    /// What the chunk of `events` should be: each event encoded on its own, framed once.
    private func expectedChunk(_ events: [Event], _ encoder: EventEncoder) -> String {
        String(buffer: EncodedFrameCache.chunk(framing: events.flatMap { encoder.encode([$0], isFirst: false) }))
    }

    @Test func readersOfTheSameBatchShareOneChunkAndOthersGetTheirOwn() throws {
        let batch = try events(1...3)
        let first = cache.chunk(for: batch, encoder: sse)
        #expect(String(buffer: first) == expectedChunk(batch, sse))
        #expect(cache.chunk(for: batch, encoder: sse) == first)
        // A reader that had the first event already, another format, the next batch.
        let suffix = Array(batch.dropFirst())
        #expect(String(buffer: cache.chunk(for: suffix, encoder: sse)) == expectedChunk(suffix, sse))
        let ndjson = EventEncoder(format: .ndjson, sseID: .offset)
        #expect(String(buffer: cache.chunk(for: batch, encoder: ndjson)) == expectedChunk(batch, ndjson))
        let next = try events(4...6)
        #expect(String(buffer: cache.chunk(for: next, encoder: sse)) == expectedChunk(next, sse))
        #expect(String(buffer: cache.chunk(for: batch, encoder: sse)) == expectedChunk(batch, sse))
    }

    @Test func framesAreTheChunksWithoutTheirFraming() throws {
        let batch = try events(1...2)
        let frames = batch.flatMap { sse.encode([$0], isFirst: false) }
        #expect(String(buffer: cache.frames(for: batch, encoder: sse)) == String(decoding: frames, as: UTF8.self))
        #expect(String(buffer: cache.frames(for: [batch[0]], encoder: sse)) == String(decoding: sse.encode([batch[0]], isFirst: false), as: UTF8.self))
    }
}
