import SpoolCore
import SpoolStore
import Testing

/// The shared store suite, run against every backend: SQLite in a fresh
/// directory, PostgreSQL in a fresh database, per test.
@Suite(.timeLimit(.minutes(2))) struct StoreConformanceTests {
    // MARK: Appending

    @Test(arguments: StoreBackend.enabled)
    func appendAssignsOffsetsFromOneAndIncreasingPositions(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.appendAssignsOffsetsFromOneAndIncreasingPositions() }
    }

    @Test(arguments: StoreBackend.enabled)
    func appendStoresTheInputAsGiven(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.appendStoresTheInputAsGiven() }
    }

    @Test(arguments: StoreBackend.enabled)
    func appendingNothingStoresNothing(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.appendingNothingStoresNothing() }
    }

    @Test(arguments: StoreBackend.enabled)
    func concurrentAppendsToOneStreamAreGapless(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.concurrentAppendsToOneStreamAreGapless() }
    }

    @Test(arguments: StoreBackend.enabled)
    func concurrentAppendsToManyStreamsAreGapless(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.concurrentAppendsToManyStreamsAreGapless() }
    }

    @Test(arguments: StoreBackend.enabled)
    func batchesGetConsecutiveOffsets(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.batchesGetConsecutiveOffsets() }
    }

    @Test(arguments: StoreBackend.enabled)
    func failingBatchStoresNothing(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.failingBatchStoresNothing() }
    }

    @Test(arguments: StoreBackend.enabled)
    func failingAppendToANewStreamLeavesNoStream(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.failingAppendToANewStreamLeavesNoStream() }
    }

    @Test(arguments: StoreBackend.enabled)
    func expectedOffsetIsCheckedAgainstTheHead(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.expectedOffsetIsCheckedAgainstTheHead() }
    }

    @Test(arguments: StoreBackend.enabled)
    func expectedOffsetLetsExactlyOneConcurrentWriterWin(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.expectedOffsetLetsExactlyOneConcurrentWriterWin() }
    }

    @Test(arguments: StoreBackend.enabled)
    func failedRequestsDoNotDisturbConcurrentOnes(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.failedRequestsDoNotDisturbConcurrentOnes() }
    }

    // MARK: Idempotency

    @Test(arguments: StoreBackend.enabled)
    func replayReturnsTheOriginalEvent(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.replayReturnsTheOriginalEvent() }
    }

    @Test(arguments: StoreBackend.enabled)
    func keysAreComparedByTheirBytes(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.keysAreComparedByTheirBytes() }
    }

    @Test(arguments: StoreBackend.enabled)
    func reusingAKeyForDifferentContentConflicts(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.reusingAKeyForDifferentContentConflicts() }
    }

    @Test(arguments: StoreBackend.enabled)
    func keysAreScopedToTheirStream(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.keysAreScopedToTheirStream() }
    }

    @Test(arguments: StoreBackend.enabled)
    func eventsWithoutKeysAreNeverDeduplicated(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.eventsWithoutKeysAreNeverDeduplicated() }
    }

    @Test(arguments: StoreBackend.enabled)
    func replayIgnoresTheExpectedOffset(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.replayIgnoresTheExpectedOffset() }
    }

    @Test(arguments: StoreBackend.enabled)
    func duplicateKeysInsideOneBatch(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.duplicateKeysInsideOneBatch() }
    }

    @Test(arguments: StoreBackend.enabled)
    func batchMixingReplaysAndNewInputs(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.batchMixingReplaysAndNewInputs() }
    }

    @Test(arguments: StoreBackend.enabled)
    func concurrentReplaysStoreOnce(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.concurrentReplaysStoreOnce() }
    }

    // MARK: Reading

    @Test(arguments: StoreBackend.enabled)
    func readsPageWithAfterAndLimit(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.readsPageWithAfterAndLimit() }
    }

    @Test(arguments: StoreBackend.enabled)
    func unknownStreamsHaveNoHeadAndNoEvents(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.unknownStreamsHaveNoHeadAndNoEvents() }
    }

    @Test(arguments: StoreBackend.enabled)
    func feedFiltersByPrefixInPositionOrder(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.feedFiltersByPrefixInPositionOrder() }
    }

    @Test(arguments: StoreBackend.enabled)
    func systemEventsAreReadByType(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.systemEventsAreReadByType() }
    }

    @Test(arguments: StoreBackend.enabled)
    func streamsAreListedByPathWithTheirHeads(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.streamsAreListedByPathWithTheirHeads() }
    }

    @Test(arguments: StoreBackend.enabled)
    func streamsAreListedPageByPage(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.streamsAreListedPageByPage() }
    }

    @Test(arguments: StoreBackend.enabled)
    func appendsSurviveClosingAndReopening(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.appendsSurviveClosingAndReopening() }
    }

    // MARK: Live tails

    @Test(arguments: StoreBackend.enabled)
    func tailDeliversHistoryThenLiveEvents(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.tailDeliversHistoryThenLiveEvents() }
    }

    @Test(arguments: StoreBackend.enabled)
    func tailStartsAfterTheGivenOffset(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.tailStartsAfterTheGivenOffset() }
    }

    @Test(arguments: StoreBackend.enabled)
    func tailOfANewStreamWaitsForItsFirstEvent(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.tailOfANewStreamWaitsForItsFirstEvent() }
    }

    @Test(arguments: StoreBackend.enabled)
    func closingATailEndsIt(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.closingATailEndsIt() }
    }

    @Test(arguments: StoreBackend.enabled)
    func cancellingAWaitingTailEndsIt(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.cancellingAWaitingTailEndsIt() }
    }

    @Test(arguments: StoreBackend.enabled)
    func tailJoiningMidBurstSeesEveryEventOnce(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.tailJoiningMidBurstSeesEveryEventOnce() }
    }

    @Test(arguments: StoreBackend.enabled)
    func overflowingTailCatchesUpFromTheStore(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.overflowingTailCatchesUpFromTheStore() }
    }

    @Test(arguments: StoreBackend.enabled)
    func slowTailWithATinyMailboxSeesEveryEventOnce(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.slowTailWithATinyMailboxSeesEveryEventOnce() }
    }

    @Test(arguments: StoreBackend.enabled, [LiveHub.defaultMailboxCapacity, 8])
    func feedTailDeliversEveryMatchingEventOnceInPositionOrder(_ backend: StoreBackend, mailboxCapacity: Int) async throws {
        try await backend.check { try await $0.feedTailDeliversEveryMatchingEventOnceInPositionOrder(mailboxCapacity: mailboxCapacity) }
    }

    @Test(arguments: StoreBackend.enabled)
    func filteredFeedTailHandsOnlyWhatItAccepts(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.filteredFeedTailHandsOnlyWhatItAccepts() }
    }

    @Test(arguments: StoreBackend.enabled)
    func filteredFeedTailReportsTheHistoryItPassed(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.filteredFeedTailReportsTheHistoryItPassed() }
    }

    @Test(arguments: StoreBackend.enabled)
    func feedTailStartsAfterTheGivenPosition(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.feedTailStartsAfterTheGivenPosition() }
    }

    @Test(arguments: StoreBackend.enabled)
    func sinkTakesTheEventsOfACaughtUpTail(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.sinkTakesTheEventsOfACaughtUpTail() }
    }

    @Test(arguments: StoreBackend.enabled)
    func sinkThatFallsBehindHandsTheReadBack(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.sinkThatFallsBehindHandsTheReadBack() }
    }

    // MARK: Paused streams

    @Test(arguments: StoreBackend.enabled)
    func pausedStreamsRefuseAppendsUntilResumed(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.pausedStreamsRefuseAppendsUntilResumed() }
    }

    // MARK: Processor state

    @Test(arguments: StoreBackend.enabled)
    func checkpointsStartAtZeroAndKeepTheLastSaved(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.checkpointsStartAtZeroAndKeepTheLastSaved() }
    }

    @Test(arguments: StoreBackend.enabled)
    func snapshotsAreSavedWithTheCheckpointAndNeverMoveBack(_ backend: StoreBackend) async throws {
        try await backend.check { try await $0.snapshotsAreSavedWithTheCheckpointAndNeverMoveBack() }
    }
}
