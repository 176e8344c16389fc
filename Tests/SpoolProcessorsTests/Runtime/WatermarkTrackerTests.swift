import SpoolProcessors
import Testing

struct WatermarkTrackerTests {
    @Test func advancesOnlyPastContiguouslyCompletedPositions() {
        var tracker = WatermarkTracker(start: 10)
        for position in [11, 12, 13] { tracker.dispatched(position) }
        tracker.completed(12)
        #expect(tracker.safePosition == 10)
        tracker.completed(11)
        #expect(tracker.safePosition == 12)
        tracker.completed(13)
        #expect(tracker.safePosition == 13)
        #expect(tracker.inFlight == 0)
    }

    @Test func skippedPositionsAdvanceWhenNothingIsPending() {
        var tracker = WatermarkTracker(start: 0)
        tracker.skipped(1)
        #expect(tracker.safePosition == 1)
        tracker.dispatched(2)
        tracker.skipped(3)
        #expect(tracker.safePosition == 1)
        tracker.completed(2)
        #expect(tracker.safePosition == 3)
    }

    @Test func handlesLongRunsOutOfOrder() {
        var tracker = WatermarkTracker(start: 0)
        for position in 1...5000 { tracker.dispatched(position) }
        for position in stride(from: 5000, through: 2, by: -1) { tracker.completed(position) }
        #expect(tracker.safePosition == 0)
        tracker.completed(1)
        #expect(tracker.safePosition == 5000)
        tracker.dispatched(5001)
        tracker.completed(5001)
        #expect(tracker.safePosition == 5001)
    }

    @Test func countsWhatIsInFlightAcrossSkipsAndCompletionsOutOfOrder() {
        var tracker = WatermarkTracker(start: 0)
        tracker.dispatched(1)
        tracker.skipped(2)
        tracker.dispatched(3)
        tracker.dispatched(4)
        #expect(tracker.inFlight == 3)
        tracker.completed(4)
        #expect(tracker.inFlight == 2)
        #expect(tracker.safePosition == 0)
        tracker.completed(1)
        #expect(tracker.safePosition == 2, "the skipped position follows the first")
        #expect(tracker.inFlight == 1)
        tracker.completed(3)
        #expect(tracker.safePosition == 4)
        #expect(tracker.inFlight == 0)
    }

    @Test func keepsItsPlaceAcrossLongRunsWithSkipsCompletedInReverse() {
        var tracker = WatermarkTracker(start: 0)
        let last = 5000
        for position in 1...last {
            if position % 5 == 0 { tracker.skipped(position) } else { tracker.dispatched(position) }
        }
        for position in stride(from: last, through: 2, by: -1) where position % 5 != 0 { tracker.completed(position) }
        #expect(tracker.safePosition == 0)
        #expect(tracker.inFlight == 1)
        tracker.completed(1)
        #expect(tracker.safePosition == last)
        #expect(tracker.inFlight == 0)
    }

    @Test func anIdleFeedPassesPositionsBeyondEverythingSeen() {
        var tracker = WatermarkTracker(start: 0)
        tracker.dispatched(3)
        tracker.passed(through: 9)
        #expect(tracker.safePosition == 0, "the event in flight holds the checkpoint back")
        tracker.completed(3)
        #expect(tracker.safePosition == 9)
        tracker.passed(through: 12)
        #expect(tracker.safePosition == 12)
        tracker.dispatched(20)
        tracker.passed(through: 15)  // published before the event read from the store: says nothing new
        tracker.completed(20)
        #expect(tracker.safePosition == 20)
        tracker.passed(through: 15)
        #expect(tracker.safePosition == 20, "never backwards")
    }
}
