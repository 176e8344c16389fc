import NIOCore
import SpoolCore
import SpoolStore
import Synchronization

/// Recently encoded live frames, shared by every reader of the same events.
///
/// When a thousand clients tail one stream, each new event is encoded once and
/// the same bytes (a shared `ByteBuffer`) go to every connection. A frame is kept
/// as an HTTP/1.1 chunk (`<size>\r\n<frame>\r\n`), which caught-up readers write
/// beneath the HTTP encoder as they are; the frame alone is a slice of the same
/// storage. Slots are indexed by position, so the cache is a fixed-size ring with
/// no eviction work; the bytes it holds are bounded too (large events are encoded
/// for each reader instead of filling memory).
final class EncodedFrameCache: Sendable {
    private struct Slot {
        var position: Int
        var format: ReadFormat
        var sseID: LiveTail.CursorKey
        var chunk: ByteBuffer
    }

    /// The last chunk of several events, which every reader of a batch asks for in turn.
    private struct Run {
        var positions: [Int]
        var format: ReadFormat
        var sseID: LiveTail.CursorKey
        var chunk: ByteBuffer

        func holds(_ events: [Event], encoder: EventEncoder) -> Bool {
            format == encoder.format && sseID == encoder.sseID && positions.elementsEqual(events.lazy.map(\.position))
        }
    }

    private struct Slots {
        var slots: [Slot?]
        /// The bytes the slots hold.
        var bytes = 0
    }

    private let slots: Mutex<Slots>
    private let lastRun = Mutex<Run?>(nil)
    private let capacity: Int
    private let byteCapacity: Int

    /// - Parameters:
    ///   - capacity: how many encoded events are kept.
    ///   - byteCapacity: how many bytes they may take together.
    init(capacity: Int = 4096, byteCapacity: Int = 16 << 20) {
        self.capacity = capacity
        self.byteCapacity = byteCapacity
        slots = Mutex(Slots(slots: Array(repeating: nil, count: capacity)))
    }

    /// The bytes the cached frames take, for tests.
    var cachedBytes: Int { slots.withLock { $0.bytes } }

    /// The encoding of `events` by `encoder`, as one buffer.
    func frames(for events: [Event], encoder: EventEncoder) -> ByteBuffer {
        if events.count == 1 { return Self.body(ofChunk: chunk(for: events[0], encoder: encoder)) }
        var buffer = ByteBuffer()
        for event in events {
            var frame = Self.body(ofChunk: chunk(for: event, encoder: encoder))
            buffer.writeBuffer(&frame)
        }
        return buffer
    }

    /// The encoding of `events` by `encoder` as one HTTP/1.1 chunk; several events are framed
    /// once for all the readers that ask for the same ones in a row (a batch's subscribers).
    func chunk(for events: [Event], encoder: EventEncoder) -> ByteBuffer {
        if events.count == 1 { return chunk(for: events[0], encoder: encoder) }
        if let cached = lastRun.withLock({ $0?.holds(events, encoder: encoder) == true ? $0?.chunk : nil }) { return cached }
        let chunk = Self.chunk(framing: frames(for: events, encoder: encoder).readableBytesView)
        lastRun.withLock {
            $0 = Run(positions: events.map(\.position), format: encoder.format, sseID: encoder.sseID, chunk: chunk)
        }
        return chunk
    }

    /// The encoding of `event` by `encoder` as a chunk, computed at most once while it stays cached.
    private func chunk(for event: Event, encoder: EventEncoder) -> ByteBuffer {
        let index = event.position % capacity
        let cached: ByteBuffer? = slots.withLock { cache in
            guard let slot = cache.slots[index], slot.position == event.position, slot.format == encoder.format,
                slot.sseID == encoder.sseID
            else { return nil }
            return slot.chunk
        }
        if let cached { return cached }
        let chunk = Self.chunk(framing: encoder.encode([event], isFirst: false))
        slots.withLock { cache in
            guard chunk.readableBytes <= byteCapacity else { return }
            cache.bytes -= cache.slots[index]?.chunk.readableBytes ?? 0
            // Over the byte capacity, the oldest frames go: those of the slots after this one.
            var oldest = (index + 1) % capacity
            while cache.bytes + chunk.readableBytes > byteCapacity {
                cache.bytes -= cache.slots[oldest]?.chunk.readableBytes ?? 0
                cache.slots[oldest] = nil
                oldest = (oldest + 1) % capacity
            }
            cache.bytes += chunk.readableBytes
            cache.slots[index] = Slot(position: event.position, format: encoder.format, sseID: encoder.sseID, chunk: chunk)
        }
        return chunk
    }

    /// `bytes` framed as an HTTP/1.1 chunk: the size in hex, CRLF, the bytes, CRLF.
    static func chunk(framing bytes: some Collection<UInt8>) -> ByteBuffer {
        let size = String(bytes.count, radix: 16)
        var chunk = ByteBuffer()
        chunk.reserveCapacity(size.utf8.count + bytes.count + 4)
        chunk.writeString(size)
        chunk.writeStaticString("\r\n")
        chunk.writeBytes(bytes)
        chunk.writeStaticString("\r\n")
        return chunk
    }

    /// The bytes a chunk frames: a slice sharing its storage.
    static func body(ofChunk chunk: ByteBuffer) -> ByteBuffer {
        let view = chunk.readableBytesView
        let headerEnd = view.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? view.startIndex
        return chunk.getSlice(at: headerEnd, length: view.endIndex - headerEnd - 2) ?? ByteBuffer()
    }
}
