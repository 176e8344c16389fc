import Foundation
import SpoolCore
import SpoolProcessors
import Testing

/// The circuit breaker's sliding window and its decision to pause a stream,
/// tested by folding events and calling `afterAppend` directly.
@Suite(.timeLimit(.minutes(3))) struct CircuitBreakerTests {
    let start = Timestamp.utc("2026-03-10T10:00:00Z")

    /// `count` events, `spacing` milliseconds apart, from offset `firstOffset`.
    func burst(_ count: Int, spacing: Int64, from offset: Int = 1, startingAt time: Timestamp? = nil) -> [Event] {
        let base = (time ?? start).millisecondsSinceEpoch
        return (0..<count).map { index in
            TestEvents.event(
                "test/event", offset: offset + index,
                at: Timestamp(millisecondsSinceEpoch: base + Int64(index) * spacing))
        }
    }

    /// Runs `afterAppend` for `event` after folding `events` (which end with it).
    func react(_ breaker: CircuitBreaker, _ events: [Event], appender: RecordingAppender = RecordingAppender()) async throws
        -> [AppendInput]
    {
        let state = fold(breaker, events)
        let event = try #require(events.last)
        try await breaker.afterAppend(
            event: event, state: state, context: appender.context(processor: breaker.name, source: event))
        return appender.inputs
    }

    @Test func defaultsToAHundredEventsPerSecondOnEveryStream() {
        let breaker = CircuitBreaker()
        #expect(breaker.name == "circuit-breaker")
        #expect(breaker.streams.rawValue == "/**")
        #expect(breaker.initialState.configuration == CircuitBreaker.Configuration(maxEvents: 100, windowSeconds: 1))
        #expect(!breaker.initialState.isPaused)
    }

    @Test func keepsOnlyTheTimesItNeeds() {
        let breaker = CircuitBreaker(maxEvents: 3, windowSeconds: 10)
        let state = fold(breaker, burst(20, spacing: 1))
        #expect(state.recentEventTimes.count == 4)
        #expect(state.recentEventTimes.last == start.millisecondsSinceEpoch + 19)
        // Times that left the window are dropped even below the count.
        let sparse = fold(breaker, burst(5, spacing: 6_000))
        #expect(sparse.recentEventTimes == [18_000, 24_000].map { start.millisecondsSinceEpoch + $0 })
    }

    @Test func tripsOnlyWhenMoreThanMaxEventsFallWithinTheWindow() async throws {
        let breaker = CircuitBreaker(maxEvents: 5, windowSeconds: 1)
        // Exactly five within the window: fine.
        #expect(try await react(breaker, burst(5, spacing: 100)).isEmpty)
        // Six spread over exactly one second: fine too.
        #expect(try await react(breaker, burst(6, spacing: 200)).isEmpty)
        // Six within 999 ms: trips.
        let appended = try await react(breaker, burst(6, spacing: 199))
        #expect(appended.count == 1)
        #expect(appended.first?.type == "spool/stream-paused")
        #expect(appended.first?.payload == [
            "reason": "more than 5 events within 1 s", "maxEvents": 5, "windowSeconds": 1,
        ])
    }

    @Test func thePauseIsKeyedToItsSourceEvent() async throws {
        let breaker = CircuitBreaker(maxEvents: 2, windowSeconds: 1)
        let events = burst(3, spacing: 10)
        let first = RecordingAppender()
        let again = RecordingAppender()
        _ = try await react(breaker, events, appender: first)
        _ = try await react(breaker, events, appender: again)
        let key = ProcessorContext.idempotencyKey(processor: "circuit-breaker", source: events[2], ordinal: 0)
        #expect(first.inputs.map(\.idempotencyKey) == [key])
        #expect(again.inputs.map(\.idempotencyKey) == [key])
        #expect(first.appends.first?.path == TestEvents.path)
    }

    @Test func isConfiguredPerStream() async throws {
        let breaker = CircuitBreaker()
        let configure = TestEvents.event(
            CircuitBreaker.configuredType, ["maxEvents": 2, "windowSeconds": 0.5], offset: 1, at: start)
        let events = [configure] + burst(2, spacing: 100, from: 2, startingAt: start.adding(100))
        let state = fold(breaker, events)
        #expect(state.configuration == CircuitBreaker.Configuration(maxEvents: 2, windowSeconds: 0.5))
        let appended = try await react(breaker, events)
        #expect(appended.first?.payload == [
            "reason": "more than 2 events within 0.5 s", "maxEvents": 2, "windowSeconds": 0.5,
        ])
        // An invalid configuration keeps the previous one.
        let invalid = TestEvents.event(CircuitBreaker.configuredType, ["maxEvents": 0, "windowSeconds": 1], offset: 4)
        #expect(fold(breaker, events + [invalid]).configuration == state.configuration)
    }

    @Test func doesNotTripWhilePausedNorOnPauseAndResumeEvents() async throws {
        let breaker = CircuitBreaker(maxEvents: 2, windowSeconds: 1)
        let flood = burst(3, spacing: 10)
        let paused = TestEvents.event(StreamPause.pausedType, ["reason": "test"], offset: 4, at: start.adding(40))
        #expect(fold(breaker, flood + [paused]).isPaused)
        #expect(fold(breaker, flood + [paused]).recentEventTimes.isEmpty)
        #expect(try await react(breaker, flood + [paused]).isEmpty)
        // Events on a paused stream (say, appended just before the pause) are not counted.
        let late = burst(3, spacing: 10, from: 5, startingAt: start.adding(50))
        #expect(try await react(breaker, flood + [paused] + late).isEmpty)
        // A resume while the window is over the limit does not trip by itself.
        let resumed = TestEvents.event(StreamPause.resumedType, offset: 8, at: start.adding(90))
        #expect(try await react(breaker, flood + [resumed]).isEmpty)
    }

    @Test func countsFromScratchAfterAResume() async throws {
        let breaker = CircuitBreaker(maxEvents: 2, windowSeconds: 1)
        let paused = TestEvents.event(StreamPause.pausedType, offset: 4, at: start.adding(30))
        let resumed = TestEvents.event(StreamPause.resumedType, offset: 5, at: start.adding(40))
        let before = burst(3, spacing: 10) + [paused, resumed]
        let state = fold(breaker, before)
        #expect(!state.isPaused)
        #expect(state.recentEventTimes.isEmpty)
        // Two more right away are within the limit; the third trips again.
        let after = burst(3, spacing: 10, from: 6, startingAt: start.adding(50))
        #expect(try await react(breaker, before + after.prefix(2)).isEmpty)
        #expect(try await react(breaker, before + after).map(\.type) == ["spool/stream-paused"])
    }

    @Test func aStoreThatIsAlreadyPausedIsNotAnError() async throws {
        let breaker = CircuitBreaker(maxEvents: 1, windowSeconds: 1)
        let appender = RecordingAppender(failing: SpoolError(.streamPaused, "stream is paused"))
        #expect(try await react(breaker, burst(2, spacing: 1), appender: appender).isEmpty)
        let failing = RecordingAppender(failing: SpoolError(.unavailable, "store is closing"))
        await #expect(throws: SpoolError.self) { try await react(breaker, burst(2, spacing: 1), appender: failing) }
    }

    @Test func stateRoundTripsThroughJSON() throws {
        let breaker = CircuitBreaker(maxEvents: 3, windowSeconds: 2)
        let state = fold(breaker, burst(5, spacing: 100))
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(CircuitBreaker.State.self, from: data) == state)
    }
}
