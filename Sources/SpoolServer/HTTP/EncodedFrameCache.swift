import NIOCore
import SpoolCore
import SpoolStore
import Synchronization

/// Recently encoded live frames, shared by every reader of the same events.
///
/// When a thousand clients tail one stream, each new event is encoded once and
/// the same bytes (a shared `ByteBuffer`) go to every connection. A frame is kept
/// as an `EncodedChunk`: the HTTP/1.1 chunk caught-up readers write beneath the
/// HTTP encoder, and the frame alone for the others. Slots are indexed by position, so the cache is a fixed-size ring with
/// no eviction work; the bytes it holds are bounded too (large events are encoded
/// for each reader instead of filling memory).
final class EncodedFrameCache: Sendable {
    private struct Slot {
        var position: Int
        var format: ReadFormat
        var sseID: LiveTail.CursorKey
        var encoded: EncodedChunk
    }

    /// The last chunk of several events, which every reader of a batch asks for in turn.
    private struct Run {
        var positions: [Int]
        var format: ReadFormat
        var sseID: LiveTail.CursorKey
        var encoded: EncodedChunk

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

    /// The encoding of `events` by `encoder`. Several events are framed as one chunk once for
    /// all the readers that ask for the same ones in a row (a batch's subscribers).
    func encoded(_ events: [Event], encoder: EventEncoder) -> EncodedChunk {
        if events.count == 1 { return encoded(events[0], encoder: encoder) }
        if let cached = lastRun.withLock({ $0?.holds(events, encoder: encoder) == true ? $0?.encoded : nil }) { return cached }
        let encoded = EncodedChunk(joining: events.map { self.encoded($0, encoder: encoder) })
        lastRun.withLock {
            $0 = Run(positions: events.map(\.position), format: encoder.format, sseID: encoder.sseID, encoded: encoded)
        }
        return encoded
    }

    /// The encoding of `event` by `encoder`, computed at most once while it stays cached.
    private func encoded(_ event: Event, encoder: EventEncoder) -> EncodedChunk {
        let index = event.position % capacity
        let cached: EncodedChunk? = slots.withLock { cache in
            guard let slot = cache.slots[index], slot.position == event.position, slot.format == encoder.format,
                slot.sseID == encoder.sseID
            else { return nil }
            return slot.encoded
        }
        if let cached { return cached }
        let encoded = EncodedChunk(framing: encoder.encode([event], isFirst: false))
        let chunk = encoded.chunk
        slots.withLock { cache in
            guard chunk.readableBytes <= byteCapacity else { return }
            cache.bytes -= cache.slots[index]?.encoded.chunk.readableBytes ?? 0
            // Over the byte capacity, the oldest frames go: those of the slots after this one.
            var oldest = (index + 1) % capacity
            while cache.bytes + chunk.readableBytes > byteCapacity {
                cache.bytes -= cache.slots[oldest]?.encoded.chunk.readableBytes ?? 0
                cache.slots[oldest] = nil
                oldest = (oldest + 1) % capacity
            }
            cache.bytes += chunk.readableBytes
            cache.slots[index] = Slot(position: event.position, format: encoder.format, sseID: encoder.sseID, encoded: encoded)
        }
        return encoded
    }
}
