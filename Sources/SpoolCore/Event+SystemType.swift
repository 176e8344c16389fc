extension Event {
    /// The prefix of the event types reserved for the system: `spool/stream-paused`,
    /// `spool/subscription-configured`, …
    public static let systemTypePrefix = "spool/"

    /// Whether `type` is reserved for the system.
    public static func isSystemType(_ type: String) -> Bool {
        type.hasPrefix(systemTypePrefix)
    }
}
