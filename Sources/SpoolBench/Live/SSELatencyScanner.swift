import Foundation

/// Measures append→receive latency from the raw bytes of a live SSE response.
///
/// It decodes HTTP/1.1 chunked framing and SSE frames from whatever pieces a
/// socket hands it, and for each frame that carries a bench event's
/// `"sentAt":N` records `receivedAt − N`. Keep-alive comments and other frames
/// are skipped. A pure value, apart from the sockets, so it can be tested byte
/// by byte. Frames end in a blank line written as `\n\n`, as Spool writes them.
struct SSELatencyScanner {
    /// Where the decoder is in the chunked body.
    private enum ChunkState {
        /// Reading a chunk's hexadecimal size, then any extension up to CR.
        case size(UInt64, digits: Int, inExtension: Bool)
        /// Read the size line's CR, want its LF.
        case sizeLineFeed(UInt64)
        case data(remaining: Int)
        /// The CR (then the LF) that ends a chunk's data.
        case dataCarriageReturn, dataLineFeed
        /// The last (zero-size) chunk has arrived.
        case finished
    }

    private var state = ChunkState.size(0, digits: 0, inExtension: false)
    /// The start of an SSE frame whose blank line has not arrived yet.
    private var partialFrame: [UInt8] = []
    /// One latency in nanoseconds per bench event received, in arrival order.
    private(set) var latencies: [UInt64] = []

    init(expectedEvents: Int = 0) {
        latencies.reserveCapacity(expectedEvents)
    }

    /// Whether the response's last chunk has arrived.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Decodes `bytes`, the next piece of the response body, all received at `receivedAt`.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, receivedAt: UInt64) throws {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch state {
            case .size(let size, let digits, let inExtension):
                if byte == UInt8(ascii: "\r") {
                    guard digits > 0 else { throw BenchError("live read sent a chunk without a size") }
                    state = .sizeLineFeed(size)
                } else if !inExtension {
                    if byte == UInt8(ascii: ";") {
                        state = .size(size, digits: digits, inExtension: true)
                    } else if let digit = Self.hexValue(byte), digits < 15 {
                        state = .size(size << 4 | UInt64(digit), digits: digits + 1, inExtension: false)
                    } else {
                        throw BenchError("live read sent a malformed chunk size")
                    }
                }
                index += 1
            case .sizeLineFeed(let size):
                guard byte == UInt8(ascii: "\n") else { throw BenchError("live read sent a chunk size line without LF") }
                state = size == 0 ? .finished : .data(remaining: Int(size))
                index += 1
            case .data(let remaining):
                let taken = min(remaining, bytes.count - index)
                scanFrames(UnsafeRawBufferPointer(rebasing: bytes[index..<index + taken]), receivedAt: receivedAt)
                state = taken == remaining ? .dataCarriageReturn : .data(remaining: remaining - taken)
                index += taken
            case .dataCarriageReturn:
                guard byte == UInt8(ascii: "\r") else { throw BenchError("live read sent a chunk longer than its size") }
                state = .dataLineFeed
                index += 1
            case .dataLineFeed:
                guard byte == UInt8(ascii: "\n") else { throw BenchError("live read sent a chunk without its CRLF") }
                state = .size(0, digits: 0, inExtension: false)
                index += 1
            case .finished:
                return
            }
        }
    }

    /// Measures every SSE frame that `data` completes, and keeps the start of an unfinished one.
    private mutating func scanFrames(_ data: UnsafeRawBufferPointer, receivedAt: UInt64) {
        if partialFrame.isEmpty {
            let consumed = measureFrames(in: data, receivedAt: receivedAt)
            partialFrame.append(contentsOf: data[consumed...])
        } else {
            // Taken out of `self` while measured, so the bytes are neither copied nor aliased.
            var pending: [UInt8] = []
            swap(&pending, &partialFrame)
            pending.append(contentsOf: data)
            let consumed = pending.withUnsafeBytes { measureFrames(in: $0, receivedAt: receivedAt) }
            pending.removeFirst(consumed)
            partialFrame = pending
        }
    }

    /// Measures each complete frame in `bytes`.
    /// - Returns: how many bytes the complete frames took.
    private mutating func measureFrames(in bytes: UnsafeRawBufferPointer, receivedAt: UInt64) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var frameStart = 0
        while let end = Self.find(Self.frameEnd, in: base + frameStart, count: bytes.count - frameStart) {
            let frame = UnsafeRawBufferPointer(start: base + frameStart, count: end)
            if let sent = Self.sentAt(in: frame) { latencies.append(receivedAt &- sent) }
            frameStart += end + Self.frameEnd.count
        }
        return frameStart
    }

    static let marker = Array(#""sentAt":"#.utf8)
    static let frameEnd = Array("\n\n".utf8)

    /// The value of the first `"sentAt":` in `frame`, if it is followed by digits.
    static func sentAt(in frame: UnsafeRawBufferPointer) -> UInt64? {
        guard let base = frame.baseAddress, let found = find(marker, in: base, count: frame.count) else { return nil }
        let start = found + marker.count
        var value: UInt64 = 0
        var index = start
        while index < frame.count, frame[index] >= UInt8(ascii: "0"), frame[index] <= UInt8(ascii: "9") {
            value = value &* 10 &+ UInt64(frame[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? value : nil
    }

    /// The offset of `needle` in the `count` bytes at `start`, if there: `memchr` for
    /// its first byte, then `memcmp`. A generic byte search here cost more CPU than
    /// the server's whole fan-out, with a thousand readers on two shared cores.
    static func find(_ needle: [UInt8], in start: UnsafeRawPointer, count: Int) -> Int? {
        var offset = 0
        while count - offset >= needle.count {
            guard let hit = memchr(start + offset, Int32(needle[0]), count - offset - needle.count + 1) else { return nil }
            let candidate = UnsafeRawPointer(hit) - start
            if memcmp(start + candidate, needle, needle.count) == 0 { return candidate }
            offset = candidate + 1
        }
        return nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
