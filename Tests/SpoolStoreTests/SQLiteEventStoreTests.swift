import Foundation
import Logging
import SpoolCore
@testable import SpoolStore
import SpoolTesting
import Testing

/// What only the SQLite store does; the shared suite runs in `StoreConformanceTests`.
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

    @Test func storesOneFileInTheDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let nested = directory + "/data/spool"
            let store = try SQLiteEventStore(directory: nested, logger: Self.logger)
            #expect(store.databasePath == nested + "/spool.sqlite")
            #expect(FileManager.default.fileExists(atPath: store.databasePath))
        }
    }

    /// Every commit fsyncs the log (`synchronous = FULL` on the writer), on a new database
    /// and on reopening one. GRDB lowers a pool's writer to NORMAL as it sets up WAL, after
    /// the connection's own preparation, so setting it there is not enough: commits then
    /// survive `kill -9` (the page cache outlives the process) but not a power cut.
    @Test func everyCommitIsSyncedToDisk() async throws {
        try await withTemporaryDirectory { directory in
            for _ in 0..<2 {
                let store = try SQLiteEventStore(directory: directory, logger: Self.logger)
                _ = try await store.append([AppendInput(type: "test/synced")], to: StreamPath("/synced"))
                #expect(try await store.writerSynchronousMode() == SQLiteEventStore.synchronousFull)
                try await Self.close(store)
            }
        }
    }

    /// Committed pages reach the database file soon after the commits, from the store's
    /// checkpointer: the writer itself would only checkpoint a log of thousands of pages.
    @Test func committedEventsReachTheDatabaseFileSoon() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteEventStore(directory: directory, logger: Self.logger)
            let path = try StreamPath("/checkpointed")
            let payload: JSONValue = ["text": .string(String(repeating: "x", count: 300))]
            let batch = try (0..<500).map { _ in try AppendInput(type: "test/filler", payload: payload) }
            for _ in 0..<8 { _ = try await store.append(batch, to: path) }  // ~1.5 MB, a few hundred pages
            let size = { (try? FileManager.default.attributesOfItem(atPath: store.databasePath)[.size] as? Int) ?? 0 }
            #expect(await eventually(timeout: .seconds(10)) { size() > 1_000_000 }, "the database file stayed at \(size()) bytes")
            #expect(try await store.read(path, after: 3999, limit: 10).first?.offset == 4000)
            try await Self.close(store)
        }
    }

    /// Graceful shutdown ends live reads, whether they wait for new events or are catching up.
    @Test func closingTheStoreEndsLiveTails() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteEventStore(directory: directory, logger: Self.logger)
            let path = try StreamPath("/ending")
            try await store.append(note(1), to: path)
            try await withTimeLimit(.seconds(60)) {
                let (historyRead, signalHistoryRead) = AsyncStream.makeStream(of: Void.self)
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        var waiting = store.tail(path).makeAsyncIterator()
                        var received = 0
                        while let delivery = try await waiting.next() {
                            if case .events(let events) = delivery { received += events.count }
                            signalHistoryRead.yield()
                        }
                        return received
                    }
                    var catchingUp = store.tailFeed(prefix: .root).makeAsyncIterator()
                    #expect(try await catchingUp.nextEvents(count: 1).count == 1)
                    // The waiting tail has read its history and waits (however loaded the machine is).
                    for await _ in historyRead { break }
                    try await Task.sleep(for: .milliseconds(20))
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
            try await withTimeLimit(.seconds(60)) {
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
