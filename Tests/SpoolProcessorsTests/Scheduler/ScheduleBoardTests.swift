import SpoolCore
import SpoolProcessors
import Testing

/// The board keeps each stream's newest schedules, whichever order the processor
/// and the snapshots deliver them in.
@Suite(.timeLimit(.minutes(1))) struct ScheduleBoardTests {
    let stream = TestEvents.path
    let start = Timestamp.utc("2026-03-10T10:00:00Z")

    /// The schedules of a stream after folding these (name, everySeconds) schedules in.
    func schedules(_ names: String...) -> SchedulerState {
        var state = SchedulerState()
        for (offset, name) in names.enumerated() {
            let payload: JSONValue = ["name": .string(name), "everySeconds": 60, "event": ["type": "test/tick"]]
            SchedulerReducer.reduce(
                into: &state, event: TestEvents.event(SchedulerReducer.appendScheduledType, payload, offset: offset + 1, at: start))
        }
        return state
    }

    func names(on board: ScheduleBoard) -> [String] {
        board.schedules(of: stream)?.state.schedules.keys.sorted() ?? []
    }

    @Test func aNewerStateReplacesAnOlderOne() {
        let board = ScheduleBoard()
        #expect(board.update(stream, state: schedules("a"), asOf: 1))
        #expect(board.update(stream, state: schedules("a", "b"), asOf: 2))
        #expect(names(on: board) == ["a", "b"])
        #expect(board.schedules(of: stream)?.offset == 2)
    }

    @Test func anOlderOrEqualStateIsIgnored() {
        let board = ScheduleBoard()
        board.update(stream, state: schedules("a", "b"), asOf: 5)
        #expect(!board.update(stream, state: schedules("a"), asOf: 4))
        #expect(!board.update(stream, state: schedules("c"), asOf: 5))
        #expect(names(on: board) == ["a", "b"])
        #expect(board.schedules(of: stream)?.offset == 5)
    }

    /// A snapshot loaded at takeover is older than what the processor added meanwhile.
    @Test func aSnapshotOlderThanTheProcessorsUpdateDoesNotOverwriteIt() {
        let board = ScheduleBoard()
        let other = TestEvents.streamPath("/tests/other")
        board.update(stream, state: schedules("a", "b"), asOf: 7)
        board.merge([stream: (offset: 6, state: schedules("a")), other: (offset: 3, state: schedules("x"))])
        #expect(names(on: board) == ["a", "b"])
        #expect(board.schedules(of: other)?.state.schedules.keys.sorted() == ["x"])
        #expect(board.streamCount == 2)
    }

    /// Cancelling the last schedule leaves nothing to fire, and an older snapshot
    /// that still had it cannot bring it back.
    @Test func aCancelledScheduleStaysCancelled() {
        let board = ScheduleBoard()
        board.update(stream, state: schedules("a"), asOf: 1)
        board.update(stream, state: SchedulerState(), asOf: 2)
        #expect(board.streamCount == 0)
        #expect(board.nextDue == nil)
        board.merge([stream: (offset: 1, state: schedules("a"))])
        #expect(board.due(now: start.adding(3_600_000)).isEmpty)
        #expect(board.streamCount == 0)
    }

    @Test func clearingForgetsEverything() {
        let board = ScheduleBoard()
        board.update(stream, state: schedules("a"), asOf: 3)
        board.clear()
        #expect(board.schedules(of: stream) == nil)
        #expect(board.due(now: start.adding(3_600_000)).isEmpty)
        // After clearing (the scheduler left and came back), an older state is taken again.
        #expect(board.update(stream, state: schedules("a"), asOf: 2))
    }

    @Test func aFiringIsRememberedUntilANewerStateArrives() {
        let board = ScheduleBoard()
        board.update(stream, state: schedules("a"), asOf: 1)
        let dueAt = start.adding(60_000)
        #expect(board.due(now: dueAt).map(\.dueAt) == [dueAt])
        board.markFired(stream, name: "a", dueAt: dueAt)
        #expect(board.due(now: dueAt).isEmpty)
        // A snapshot of the same offset does not undo the firing.
        board.merge([stream: (offset: 1, state: schedules("a"))])
        #expect(board.due(now: dueAt).isEmpty)
    }
}
