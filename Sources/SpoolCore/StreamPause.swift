/// The pause switch of a stream, set by events: `spool/stream-paused` pauses it
/// (appends are then refused with 423 `stream_paused`), `spool/stream-resumed`
/// resumes it and is the one event a paused stream accepts.
public enum StreamPause {
    public static let pausedType = "spool/stream-paused"
    public static let resumedType = "spool/stream-resumed"

    /// Whether events of `type` pause or resume a stream.
    public static func isSwitch(_ type: String) -> Bool { type == pausedType || type == resumedType }

    /// Whether a stream is paused after an event of `type`.
    public static func isPaused(after type: String, wasPaused: Bool) -> Bool {
        switch type {
        case pausedType: return true
        case resumedType: return false
        default: return wasPaused
        }
    }
}
