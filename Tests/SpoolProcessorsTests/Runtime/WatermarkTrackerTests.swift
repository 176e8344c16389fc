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
}
