import NIOCore
import SpoolCore
import SpoolStore
import Synchronization

/// Recently encoded live frames, shared by every reader of the same events.
///
/// When a thousand clients tail one stream, each new event is encoded once and
/// the same bytes (a shared `ByteBuffer`) go to every connection. Slots are
/// indexed by position, so the cache is a fixed-size ring with no eviction work.
final class EncodedFrameCache: Sendable {
    private struct Slot {
        var position: Int
        var format: ReadFormat
        var sseID: LiveTail.CursorKey
        var bytes: ByteBuffer
    }

    private let slots: Mutex<[Slot?]>
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        slots = Mutex(Array(repeating: nil, count: capacity))
    }

    /// The encoding of `event` by `encoder`, computed at most once while it stays cached.
    func frame(for event: Event, encoder: EventEncoder) -> ByteBuffer {
        let index = event.position % capacity
        let cached: ByteBuffer? = slots.withLock { slots in
            guard let slot = slots[index], slot.position == event.position, slot.format == encoder.format,
                slot.sseID == encoder.sseID
            else { return nil }
            return slot.bytes
        }
        if let cached { return cached }
        let bytes = ByteBuffer(bytes: encoder.encode([event], isFirst: false))
        slots.withLock { $0[index] = Slot(position: event.position, format: encoder.format, sseID: encoder.sseID, bytes: bytes) }
        return bytes
    }

    /// The encoding of several events as one buffer.
    func frames(for events: [Event], encoder: EventEncoder) -> ByteBuffer {
        if events.count == 1 { return frame(for: events[0], encoder: encoder) }
        var buffer = ByteBuffer()
        for event in events {
            var frame = frame(for: event, encoder: encoder)
            buffer.writeBuffer(&frame)
        }
        return buffer
    }
}
