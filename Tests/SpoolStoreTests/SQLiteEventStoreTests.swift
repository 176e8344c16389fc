import Foundation
import Logging
import SpoolCore
import SpoolStore
import Testing

/// The shared store suite, against a real SQLite file in a fresh directory per test.
@Suite(.timeLimit(.minutes(3))) struct SQLiteEventStoreTests {
    static let logger = Logger(label: "spool.tests.sqlite") { _ in SwiftLogNoOpLogHandler() }

    /// The conformance checks for SQLite stores on `directory`.
    static func conformance(directory: String) -> StoreConformance {
        StoreConformance(
            open: { live in try SQLiteEventStore(directory: directory, logger: logger, live: live) },
            close: { store in
                guard let store = store as? SQLiteEventStore else { throw SpoolError(.internalError, "not a SQLite store") }
                try await close(store)
            })
    }

    /// Closes a store the way graceful shutdown does: `run()` returns once its task is cancelled.
    static func close(_ store: SQLiteEventStore) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    private func check(_ body: (StoreConformance) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in try await body(Self.conformance(directory: directory)) }
    }

    // MARK: Appending

    @Test func appendAssignsOffsetsFromOneAndIncreasingPositions() async throws {
        try await check { try await $0.appendAssignsOffsetsFromOneAndIncreasingPositions() }
    }

    @Test func appendStoresTheInputAsGiven() async throws {
        try await check { try await $0.appendStoresTheInputAsGiven() }
    }

    @Test func appendingNothingStoresNothing() async throws {
        try await check { try await $0.appendingNothingStoresNothing() }
    }

    @Test func concurrentAppendsToOneStreamAreGapless() async throws {
        try await check { try await $0.concurrentAppendsToOneStreamAreGapless() }
    }

    @Test func concurrentAppendsToManyStreamsAreGapless() async throws {
        try await check { try await $0.concurrentAppendsToManyStreamsAreGapless() }
    }

    @Test func batchesGetConsecutiveOffsets() async throws {
        try await check { try await $0.batchesGetConsecutiveOffsets() }
    }

    @Test func failingBatchStoresNothing() async throws {
        try await check { try await $0.failingBatchStoresNothing() }
    }

    @Test func failingAppendToANewStreamLeavesNoStream() async throws {
        try await check { try await $0.failingAppendToANewStreamLeavesNoStream() }
    }

    @Test func expectedOffsetIsCheckedAgainstTheHead() async throws {
        try await check { try await $0.expectedOffsetIsCheckedAgainstTheHead() }
    }

    @Test func expectedOffsetLetsExactlyOneConcurrentWriterWin() async throws {
        try await check { try await $0.expectedOffsetLetsExactlyOneConcurrentWriterWin() }
    }

    @Test func failedRequestsDoNotDisturbConcurrentOnes() async throws {
        try await check { try await $0.failedRequestsDoNotDisturbConcurrentOnes() }
    }

    // MARK: Idempotency

    @Test func replayReturnsTheOriginalEvent() async throws {
        try await check { try await $0.replayReturnsTheOriginalEvent() }
    }

    @Test func reusingAKeyForDifferentContentConflicts() async throws {
        try await check { try await $0.reusingAKeyForDifferentContentConflicts() }
    }

    @Test func keysAreScopedToTheirStream() async throws {
        try await check { try await $0.keysAreScopedToTheirStream() }
    }

    @Test func eventsWithoutKeysAreNeverDeduplicated() async throws {
        try await check { try await $0.eventsWithoutKeysAreNeverDeduplicated() }
    }

    @Test func replayIgnoresTheExpectedOffset() async throws {
        try await check { try await $0.replayIgnoresTheExpectedOffset() }
    }

    @Test func duplicateKeysInsideOneBatch() async throws {
        try await check { try await $0.duplicateKeysInsideOneBatch() }
    }

    @Test func batchMixingReplaysAndNewInputs() async throws {
        try await check { try await $0.batchMixingReplaysAndNewInputs() }
    }

    @Test func concurrentReplaysStoreOnce() async throws {
        try await check { try await $0.concurrentReplaysStoreOnce() }
    }

    // MARK: Reading

    @Test func readsPageWithAfterAndLimit() async throws {
        try await check { try await $0.readsPageWithAfterAndLimit() }
    }

    @Test func unknownStreamsHaveNoHeadAndNoEvents() async throws {
        try await check { try await $0.unknownStreamsHaveNoHeadAndNoEvents() }
    }

    @Test func feedFiltersByPrefixInPositionOrder() async throws {
        try await check { try await $0.feedFiltersByPrefixInPositionOrder() }
    }

    @Test func streamsAreListedByPathWithTheirHeads() async throws {
        try await check { try await $0.streamsAreListedByPathWithTheirHeads() }
    }

    @Test func appendsSurviveClosingAndReopening() async throws {
        try await check { try await $0.appendsSurviveClosingAndReopening() }
    }

    // MARK: Live tails

    @Test func tailDeliversHistoryThenLiveEvents() async throws {
        try await check { try await $0.tailDeliversHistoryThenLiveEvents() }
    }

    @Test func tailStartsAfterTheGivenOffset() async throws {
        try await check { try await $0.tailStartsAfterTheGivenOffset() }
    }

    @Test func tailOfANewStreamWaitsForItsFirstEvent() async throws {
        try await check { try await $0.tailOfANewStreamWaitsForItsFirstEvent() }
    }

    @Test func closingATailEndsIt() async throws {
        try await check { try await $0.closingATailEndsIt() }
    }

    @Test func cancellingAWaitingTailEndsIt() async throws {
        try await check { try await $0.cancellingAWaitingTailEndsIt() }
    }

    @Test func tailJoiningMidBurstSeesEveryEventOnce() async throws {
        try await check { try await $0.tailJoiningMidBurstSeesEveryEventOnce() }
    }

    @Test func overflowingTailCatchesUpFromTheStore() async throws {
        try await check { try await $0.overflowingTailCatchesUpFromTheStore() }
    }

    @Test func slowTailWithATinyMailboxSeesEveryEventOnce() async throws {
        try await check { try await $0.slowTailWithATinyMailboxSeesEveryEventOnce() }
    }

    @Test(arguments: [LiveHub.defaultMailboxCapacity, 8])
    func feedTailDeliversEveryMatchingEventOnceInPositionOrder(mailboxCapacity: Int) async throws {
        try await check { try await $0.feedTailDeliversEveryMatchingEventOnceInPositionOrder(mailboxCapacity: mailboxCapacity) }
    }

    @Test func feedTailStartsAfterTheGivenPosition() async throws {
        try await check { try await $0.feedTailStartsAfterTheGivenPosition() }
    }

    // MARK: SQLite only

    @Test func storesOneFileInTheDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let nested = directory + "/data/spool"
            let store = try SQLiteEventStore(directory: nested, logger: Self.logger)
            #expect(store.databasePath == nested + "/spool.sqlite")
            #expect(FileManager.default.fileExists(atPath: store.databasePath))
        }
    }

    /// Graceful shutdown ends live reads, whether they wait for new events or are catching up.
    @Test func closingTheStoreEndsLiveTails() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteEventStore(directory: directory, logger: Self.logger)
            let path = try StreamPath("/ending")
            try await store.append(note(1), to: path)
            try await withTimeout {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        var waiting = store.tail(path).makeAsyncIterator()
                        var received = 0
                        while let delivery = try await waiting.next() {
                            if case .events(let events) = delivery { received += events.count }
                        }
                        return received
                    }
                    var catchingUp = store.tailFeed(prefix: .root).makeAsyncIterator()
                    #expect(try await catchingUp.nextEvents(count: 1).count == 1)
                    try await Task.sleep(for: .milliseconds(50))
                    try await Self.close(store)
                    let end = try await catchingUp.next()
                    #expect(end == nil)
                    #expect(try await group.next() == 1)
                }
            }
        }
    }

    @Test func twoStoresOnOneFileShareOffsetsAndPositions() async throws {
        try await withTemporaryDirectory { directory in
            let first = try SQLiteEventStore(directory: directory, logger: Self.logger)
            let second = try SQLiteEventStore(directory: directory, logger: Self.logger)
            let path = try StreamPath("/shared")
            try await withTimeout {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for store in [first, second] {
                        group.addTask { for n in 1...50 { try await store.append(note(n), to: path) } }
                    }
                    try await group.waitForAll()
                }
            }
            let stored = try await first.read(path, after: 0, limit: 1000)
            expectSequence(stored.map(\.offset), equals: Array(1...100), "offsets")
            expectStrictlyIncreasing(stored.map(\.position), "positions")
            #expect(try await second.read(path, after: 0, limit: 1000) == stored)
        }
    }
}
