import SpoolCore
import Testing

/// The pure backoff of processor reactions, webhook deliveries and LLM requests.
@Suite(.timeLimit(.minutes(3))) struct RetryPolicyTests {
    @Test func doublesFromTheInitialDelayUntilTheLastAttempt() {
        let policy = RetryPolicy(attempts: 5, initialDelay: .milliseconds(200))
        #expect(policy.delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600)])
        #expect(policy.delay(afterFailure: 5) == nil, "no wait after the last attempt")
        #expect(policy.delay(afterFailure: 0) == nil)
    }

    @Test func capsDelaysAndNeedsAtLeastOneAttempt() {
        let policy = RetryPolicy(attempts: 6, initialDelay: .seconds(1), maximumDelay: .seconds(10))
        #expect(policy.delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10)])
        #expect(RetryPolicy(attempts: 0, initialDelay: .seconds(1)).attempts == 1)
        #expect(RetryPolicy.none.delays.isEmpty)
    }

    @Test func honoursRetryAfterWithinTheCap() {
        let policy = RetryPolicy(attempts: 5, initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        #expect((1...4).compactMap { policy.delay(afterFailure: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(policy.delay(afterFailure: 1, retryAfter: .milliseconds(700)) == .milliseconds(700))
        #expect(policy.delay(afterFailure: 1, retryAfter: .seconds(20)) == .seconds(1))
    }
}
