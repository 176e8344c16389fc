/// How often and how long apart to try something that fails for a while (a
/// processor's `afterAppend`, a webhook delivery, an LLM request): `attempts`
/// tries in all, waiting `initialDelay` after the first failure, twice as long
/// after each further one, at most `maximumDelay`. Pure.
///
/// ```swift
/// RetryPolicy(attempts: 5, initialDelay: .milliseconds(200)).delays  // [200 ms, 400 ms, 800 ms, 1.6 s]
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included; at least 1 (1: no retries).
    public var attempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(attempts: Int, initialDelay: Duration, maximumDelay: Duration = .seconds(30)) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// One attempt, no retries.
    public static let none = RetryPolicy(attempts: 1, initialDelay: .zero, maximumDelay: .zero)

    /// The wait after failure number `failure` (1 for the first) before the next attempt, or `nil`
    /// when that was the last. A server's `retryAfter` is honoured, up to `maximumDelay`.
    public func delay(afterFailure failure: Int, retryAfter: Duration? = nil) -> Duration? {
        guard failure >= 1, failure < attempts else { return nil }
        let exponential = initialDelay * (1 << min(failure - 1, 20))
        return min(max(exponential, retryAfter ?? .zero), maximumDelay)
    }

    /// Every wait between attempts, in order (`attempts - 1` of them).
    public var delays: [Duration] {
        (1..<attempts).compactMap { delay(afterFailure: $0) }
    }
}
