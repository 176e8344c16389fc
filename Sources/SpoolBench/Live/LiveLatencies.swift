import Foundation

/// What the live readers measured, in nanoseconds, one entry per delivery.
struct LiveLatencies: Sendable {
    /// From a bench event's `sentAt` to its frame's last byte arriving at the
    /// subscriber's socket, as the kernel stamped it. This is the server's
    /// delivery latency: it leaves out how soon the bench's own threads, on the
    /// cores the server uses, got round to reading.
    var atSocket: [UInt64] = []
    /// From that arrival until a reader read the frame (in the same order).
    var waitsToRead: [UInt64] = []

    /// The clock `sentAt` and the kernel's receive times are on: `CLOCK_REALTIME`, in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// From `sentAt` until read by the bench: what a client reading as it arrives sees.
    var whenRead: [UInt64] { zip(atSocket, waitsToRead).map { $0 &+ $1 } }

    static func joined(_ parts: [LiveLatencies]) -> LiveLatencies {
        LiveLatencies(atSocket: parts.flatMap(\.atSocket), waitsToRead: parts.flatMap(\.waitsToRead))
    }
}
