import SpoolProcessors
import Testing

/// The pure backoff schedule of webhook deliveries.
@Suite(.timeLimit(.minutes(3))) struct RetryScheduleTests {
    @Test func defaultsToFiveAttemptsDoublingFrom200Milliseconds() {
        let schedule = RetrySchedule()
        #expect(schedule.attempts == 5)
        #expect(schedule.delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600)])
        #expect(schedule.delay(afterAttempt: 5) == nil)
        #expect(schedule.delay(afterAttempt: 0) == nil)
    }

    @Test func capsDelaysAndNeedsAtLeastOneAttempt() {
        let schedule = RetrySchedule(
            attempts: 6, initialDelay: .seconds(1), multiplier: 3, maximumDelay: .seconds(10))
        #expect(schedule.delays == [.seconds(1), .seconds(3), .seconds(9), .seconds(10), .seconds(10)])
        #expect(RetrySchedule(attempts: 0).attempts == 1)
        #expect(RetrySchedule(attempts: 1).delays.isEmpty)
    }
}
