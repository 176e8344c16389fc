import NIOCore

/// Encoded frames as one HTTP/1.1 chunk (`<size>\r\n<frames>\r\n`), and the frames alone:
/// a slice of the same storage, so either is at hand without copying or scanning.
struct EncodedChunk: Sendable {
    /// The frames with their chunk framing, to write beneath the HTTP encoder.
    let chunk: ByteBuffer
    /// The frames alone, to write through the HTTP encoder, which frames them itself.
    let frames: ByteBuffer

    /// Frames `bytes` as one chunk.
    init(framing bytes: [UInt8]) {
        self.init(size: bytes.count) { $0.writeBytes(bytes) }
    }

    /// Frames the frames of `parts`, in order, as one chunk.
    init(joining parts: [EncodedChunk]) {
        self.init(size: parts.reduce(0) { $0 + $1.frames.readableBytes }) { chunk in
            for part in parts { chunk.writeImmutableBuffer(part.frames) }
        }
    }

    private init(size: Int, writeFrames: (inout ByteBuffer) -> Void) {
        let header = String(size, radix: 16) + "\r\n"
        var chunk = ByteBuffer()
        chunk.reserveCapacity(header.utf8.count + size + 2)
        chunk.writeString(header)
        writeFrames(&chunk)
        chunk.writeStaticString("\r\n")
        self.chunk = chunk
        frames = chunk.getSlice(at: chunk.readerIndex + header.utf8.count, length: size) ?? ByteBuffer()
    }
}
