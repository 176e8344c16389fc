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
        String(buffer: EncodedChunk(framing: events.flatMap { encoder.encode([$0], isFirst: false) }).chunk)
    }

    @Test func readersOfTheSameBatchShareOneChunkAndOthersGetTheirOwn() throws {
        let batch = try events(1...3)
        let first = cache.encoded(batch, encoder: sse).chunk
        #expect(String(buffer: first) == expectedChunk(batch, sse))
        #expect(cache.encoded(batch, encoder: sse).chunk == first)
        // A reader that had the first event already, another format, the next batch.
        let suffix = Array(batch.dropFirst())
        #expect(String(buffer: cache.encoded(suffix, encoder: sse).chunk) == expectedChunk(suffix, sse))
        let ndjson = EventEncoder(format: .ndjson, sseID: .offset)
        #expect(String(buffer: cache.encoded(batch, encoder: ndjson).chunk) == expectedChunk(batch, ndjson))
        let next = try events(4...6)
        #expect(String(buffer: cache.encoded(next, encoder: sse).chunk) == expectedChunk(next, sse))
        #expect(String(buffer: cache.encoded(batch, encoder: sse).chunk) == expectedChunk(batch, sse))
    }

    @Test func aChunkFramesItsBytesAndItsFramesAreThem() {
        let encoded = EncodedChunk(framing: Array(repeating: UInt8(ascii: "x"), count: 300))
        #expect(String(buffer: encoded.chunk) == "12c\r\n" + String(repeating: "x", count: 300) + "\r\n")
        #expect(String(buffer: encoded.frames) == String(repeating: "x", count: 300))
        let joined = EncodedChunk(joining: [encoded, EncodedChunk(framing: Array("yz".utf8))])
        #expect(String(buffer: joined.chunk) == "12e\r\n" + String(repeating: "x", count: 300) + "yz\r\n")
        #expect(String(buffer: joined.frames) == String(repeating: "x", count: 300) + "yz")
    }

    @Test func framesAreTheChunksWithoutTheirFraming() throws {
        let batch = try events(1...2)
        let frames = batch.flatMap { sse.encode([$0], isFirst: false) }
        #expect(String(buffer: cache.encoded(batch, encoder: sse).frames) == String(decoding: frames, as: UTF8.self))
        #expect(String(buffer: cache.encoded([batch[0]], encoder: sse).frames) == String(decoding: sse.encode([batch[0]], isFirst: false), as: UTF8.self))
    }

    /// Large events do not fill memory: the cache keeps at most its byte capacity, the oldest
    /// frames making room for new ones, and every reader still gets the right bytes.
    @Test func theCachedBytesStayWithinTheirCapacity() throws {
        let small = EncodedFrameCache(capacity: 64, byteCapacity: 10_000)
        func event(_ offset: Int, payloadBytes: Int) throws -> Event {
            Event(
                streamPath: try StreamPath("/s"), offset: offset, position: offset, type: "t",
                payloadJSON: #"{"x":"\#(String(repeating: "x", count: payloadBytes))"}"#,
                createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        /// Whether a second reader of `event` gets the first one's bytes (the same storage).
        func isShared(_ event: Event) -> Bool {
            let first = small.encoded([event], encoder: sse).chunk
            let second = small.encoded([event], encoder: sse).chunk
            #expect(String(buffer: second) == expectedChunk([event], sse))
            return first.withUnsafeReadableBytes { a in second.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
        }
        for offset in 1...20 {
            #expect(isShared(try event(offset, payloadBytes: 3_000)))
            #expect(small.cachedBytes <= 10_000)
        }
        for offset in 21...40 { #expect(isShared(try event(offset, payloadBytes: 10)), "event \(offset) was not cached") }
        #expect(!isShared(try event(41, payloadBytes: 20_000)), "a frame larger than the whole cache was kept")
        #expect(small.cachedBytes <= 10_000)
    }
}
