/// What writing one event's JSON leaves for the next: its stream path and timestamp
/// as written. Encoding a page of one stream's events (often sharing a timestamp, as a
/// batch does) escapes the path and formats the time once rather than per event.
public struct JSONWriteMemo: Sendable {
    var path: String?
    var pathJSON: [UInt8] = []
    var createdAt: Timestamp?
    var createdAtText: [UInt8] = []

    public init() {}
}

extension [UInt8] {
    /// Appends `value` in decimal, without making a `String` of it.
    mutating func appendDecimal(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            // The magnitude of Int.min does not fit an Int: go through UInt.
            appendDecimal(UInt(bitPattern: 0 &- value))
        } else {
            appendDecimal(UInt(value))
        }
    }

    private mutating func appendDecimal(_ value: UInt) {
        var divisor: UInt = 1
        while divisor <= value / 10 { divisor *= 10 }
        var remaining = value
        repeat {
            append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        } while divisor > 0
    }
}
