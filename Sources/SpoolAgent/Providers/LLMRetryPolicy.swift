/// How often and how patiently a provider retries a request that failed before
/// any output arrived: on HTTP 429, 5xx and connection errors.
///
/// The wait doubles from `initialBackoff` up to `maximumBackoff`; a provider's
/// `retry-after` header lengthens it (still capped at `maximumBackoff`).
public struct LLMRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 disables retries.
    public var attempts: Int
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(attempts: Int, initialBackoff: Duration, maximumBackoff: Duration) {
        self.attempts = max(1, attempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// 4 attempts, waiting 1 s, 2 s, 4 s (at most 30 s when the provider asks for longer).
    public static let `default` = LLMRetryPolicy(attempts: 4, initialBackoff: .seconds(1), maximumBackoff: .seconds(30))
    /// One attempt, no retries.
    public static let none = LLMRetryPolicy(attempts: 1, initialBackoff: .zero, maximumBackoff: .zero)

    /// The wait after failure number `failure` (1 for the first), honouring a `retry-after` of `retryAfter`.
    public func delay(afterFailure failure: Int, retryAfter: Duration? = nil) -> Duration {
        let exponential = initialBackoff * (1 << min(max(failure - 1, 0), 20))
        return min(max(exponential, retryAfter ?? .zero), maximumBackoff)
    }
}
