/// Exponential backoff: `initial`, doubling, capped at `maximum`. Pure.
public struct Backoff: Sendable, Equatable {
    public var attempts: Int
    public var initial: Duration
    public var maximum: Duration

    public init(attempts: Int, initial: Duration, maximum: Duration = .seconds(30)) {
        self.attempts = attempts
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after failed attempt number `attempt` (0-based).
    public func delay(after attempt: Int) -> Duration {
        let factor = 1 << min(attempt, 20)
        return min(initial * factor, maximum)
    }
}
