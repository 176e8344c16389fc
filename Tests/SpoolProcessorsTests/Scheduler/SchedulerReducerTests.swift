import Foundation
import SpoolCore
import SpoolProcessors
import Testing

/// Folding schedules, cancellations and firings into `SchedulerState`.
@Suite(.timeLimit(.minutes(3))) struct SchedulerReducerTests {
    func reduce(_ events: [Event]) -> SchedulerState {
        var state = SchedulerState()
        for event in events { SchedulerReducer.reduce(into: &state, event: event) }
        return state
    }

    func scheduled(_ payload: JSONValue, offset: Int, at time: String) -> Event {
        TestEvents.event(SchedulerReducer.appendScheduledType, payload, offset: offset, at: .utc(time))
    }

    func fired(_ name: String, dueAt: String, offset: Int, type: String = "test/tick") -> Event {
        TestEvents.event(
            type, metadata: ["spool.schedule": .string(name), "spool.dueAt": .string(dueAt)], offset: offset,
            at: .utc(dueAt))
    }

    @Test func addsReplacesAndCancelsByName() throws {
        let first = scheduled(["name": "tick", "everySeconds": 60, "event": ["type": "test/tick"]], offset: 1, at: "2026-03-10T10:00:00Z")
        let other = scheduled(["name": "once", "afterSeconds": 5, "event": ["type": "test/once"]], offset: 2, at: "2026-03-10T10:00:01Z")
        let replacement = scheduled(["name": "tick", "cron": "@hourly", "event": ["type": "test/hour"]], offset: 3, at: "2026-03-10T10:00:02Z")
        var state = reduce([first, other])
        #expect(state.schedules.keys.sorted() == ["once", "tick"])
        #expect(state.schedules["tick"]?.scheduledAt == .utc("2026-03-10T10:00:00Z"))
        #expect(state.schedules["tick"]?.nextDue == .utc("2026-03-10T10:01:00Z"))
        #expect(state.nextDue == .utc("2026-03-10T10:00:06Z"))

        state = reduce([first, other, replacement])
        #expect(state.schedules["tick"]?.event.type == "test/hour")
        #expect(state.schedules["tick"]?.scheduledAt == .utc("2026-03-10T10:00:02Z"))
        #expect(state.schedules["tick"]?.nextDue == .utc("2026-03-10T11:00:00Z"))

        let cancel = TestEvents.event(SchedulerReducer.scheduleCancelledType, ["name": "tick"], offset: 4)
        state = reduce([first, other, replacement, cancel])
        #expect(state.schedules.keys.sorted() == ["once"])
    }

    @Test func ignoresInvalidSchedulesAndUnknownCancellations() {
        let invalid = scheduled(["name": "bad", "cron": "61 * * * *", "event": ["type": "x"]], offset: 1, at: "2026-03-10T10:00:00Z")
        let cancel = TestEvents.event(SchedulerReducer.scheduleCancelledType, ["name": "missing"], offset: 2)
        #expect(reduce([invalid, cancel]) == SchedulerState())
    }

    @Test func recordsFiringsOfRecurringSchedules() {
        let every = scheduled(["name": "tick", "everySeconds": 60, "event": ["type": "test/tick"]], offset: 1, at: "2026-03-10T10:00:00Z")
        let state = reduce([
            every,
            fired("tick", dueAt: "2026-03-10T10:01:00.000Z", offset: 2),
            fired("tick", dueAt: "2026-03-10T10:02:00.000Z", offset: 3),
        ])
        let entry = state.schedules["tick"]
        #expect(entry?.lastFiredDueAt == .utc("2026-03-10T10:02:00Z"))
        #expect(entry?.nextDue == .utc("2026-03-10T10:03:00Z"))
        #expect(entry?.dueToFire(now: .utc("2026-03-10T10:02:30Z")) == nil)
        #expect(state.dueToFire(now: .utc("2026-03-10T10:09:30Z")).map(\.dueAt) == [.utc("2026-03-10T10:09:00Z")])
    }

    @Test func removesOneShotsOnceFired() {
        let once = scheduled(["name": "once", "at": "2026-03-10T12:00:00Z", "event": ["type": "test/once"]], offset: 1, at: "2026-03-10T10:00:00Z")
        let state = reduce([once, fired("once", dueAt: "2026-03-10T12:00:00.000Z", offset: 2, type: "test/once")])
        #expect(state.schedules.isEmpty)
    }

    @Test func ignoresFiringsThatAreNotOfTheCurrentSchedule() {
        let once = scheduled(["name": "once", "at": "2026-03-10T12:00:00Z", "event": ["type": "test/once"]], offset: 1, at: "2026-03-10T10:00:00Z")
        let again = scheduled(["name": "once", "at": "2026-03-10T13:00:00Z", "event": ["type": "test/once"]], offset: 2, at: "2026-03-10T11:59:59Z")
        // The first schedule's firing lands after it was replaced: the replacement stays.
        let state = reduce([once, again, fired("once", dueAt: "2026-03-10T12:00:00.000Z", offset: 3)])
        #expect(state.schedules["once"]?.nextDue == .utc("2026-03-10T13:00:00Z"))
        // Firings with a malformed or unknown schedule change nothing.
        let untouched = reduce([
            once,
            TestEvents.event("x", metadata: ["spool.schedule": "once", "spool.dueAt": "noon"], offset: 2),
            fired("nobody", dueAt: "2026-03-10T12:00:00.000Z", offset: 3),
        ])
        #expect(untouched == reduce([once]))
    }

    @Test func aFiredEventMayScheduleTheNextOneUnderTheSameName() {
        let once = scheduled(["name": "chain", "afterSeconds": 60, "event": ["type": "test/x"]], offset: 1, at: "2026-03-10T10:00:00Z")
        var firing = scheduled(
            ["name": "chain", "afterSeconds": 60, "event": ["type": "test/x"]], offset: 2, at: "2026-03-10T10:01:00.100Z")
        firing.metadataJSON = #"{"spool.schedule":"chain","spool.dueAt":"2026-03-10T10:01:00.000Z"}"#
        let state = reduce([once, firing])
        #expect(state.schedules["chain"]?.scheduledAt == .utc("2026-03-10T10:01:00.100Z"))
        #expect(state.schedules["chain"]?.nextDue == .utc("2026-03-10T10:02:00.100Z"))
    }

    @Test func stateRoundTripsThroughJSON() throws {
        let state = reduce([
            scheduled(["name": "tick", "everySeconds": 1.5, "event": ["type": "test/tick", "metadata": ["a": 1]]], offset: 1, at: "2026-03-10T10:00:00Z"),
            scheduled(["name": "cron", "cron": "0 9 * * mon-fri", "event": ["type": "test/cron"]], offset: 2, at: "2026-03-10T10:00:00Z"),
            fired("tick", dueAt: "2026-03-10T10:00:03.000Z", offset: 3),
        ])
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(SchedulerState.self, from: data) == state)
    }
}
