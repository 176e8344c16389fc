import SpoolCore

/// How often and how long apart to try something that may fail for a while:
/// `attempts` tries, waiting `initialDelay` after the first failure and
/// `multiplier` times longer after each further one, at most `maximumDelay`.
///
/// ```swift
/// RetrySchedule().delays  // [200 ms, 400 ms, 800 ms, 1.6 s]: 5 attempts
/// ```
public struct RetrySchedule: Sendable, Hashable {
    /// Tries in all, at least 1.
    public var attempts: Int
    public var initialDelay: Duration
    public var multiplier: Double
    public var maximumDelay: Duration

    public init(
        attempts: Int = 5, initialDelay: Duration = .milliseconds(200), multiplier: Double = 2,
        maximumDelay: Duration = .seconds(30)
    ) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
    }

    /// The wait after failed attempt `attempt` (from 1) before the next one;
    /// `nil` after the last attempt.
    public func delay(afterAttempt attempt: Int) -> Duration? {
        guard attempt >= 1, attempt < attempts else { return nil }
        var delay = initialDelay
        for _ in 1..<attempt {
            delay = delay * multiplier
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// Every wait between attempts, in order (`attempts - 1` of them).
    public var delays: [Duration] {
        (1..<attempts).compactMap { delay(afterAttempt: $0) }
    }
}
