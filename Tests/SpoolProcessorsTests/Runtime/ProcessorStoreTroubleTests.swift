import Logging
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Synchronization
import Testing

/// A store (SQLite underneath) whose appends of one event type fail a given number of
/// times, as appends fail while a database is away, and whose reads of the head and of system
/// events fail too, the first `readFailures` of them.
final class TroubledStore: EventStore, ProcessorStateStore {
    let base: SQLiteEventStore
    let failingType: String
    private let failuresLeft: Mutex<Int>
    private let readFailuresLeft: Mutex<Int>

    init(base: SQLiteEventStore, failingType: String, failures: Int, readFailures: Int = 0) {
        self.base = base
        self.failingType = failingType
        failuresLeft = Mutex(failures)
        readFailuresLeft = Mutex(readFailures)
    }

    var live: LiveHub { base.live }

    func append(_ inputs: [AppendInput], to path: StreamPath) async throws -> AppendResult {
        let fails = inputs.contains { $0.type == failingType } && failuresLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if fails { throw SpoolError(.unavailable, "the database is unreachable (a test's trouble)") }
        return try await base.append(inputs, to: path)
    }

    func read(_ path: StreamPath, after offset: Int, limit: Int) async throws -> [Event] {
        try await base.read(path, after: offset, limit: limit)
    }

    func readFeed(prefix: StreamPrefix, after position: Int, limit: Int) async throws -> [Event] {
        try await base.readFeed(prefix: prefix, after: position, limit: limit)
    }

    func readSystemEvents(ofType type: String, after position: Int, limit: Int) async throws -> [Event] {
        try failARead()
        return try await base.readSystemEvents(ofType: type, after: position, limit: limit)
    }

    func headOffset(of path: StreamPath) async throws -> Int? { try await base.headOffset(of: path) }
    func streams(prefix: StreamPrefix, after: StreamPath?, limit: Int) async throws -> [StreamInfo] {
        try await base.streams(prefix: prefix, after: after, limit: limit)
    }
    func headPosition() async throws -> Int {
        try failARead()
        return try await base.headPosition()
    }

    private func failARead() throws {
        let fails = readFailuresLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if fails { throw SpoolError(.unavailable, "the database is unreachable (a test's trouble)") }
    }
    func checkpoint(for consumer: String) async throws -> Int { try await base.checkpoint(for: consumer) }

    func saveCheckpoint(_ position: Int, for consumer: String) async throws {
        try await base.saveCheckpoint(position, for: consumer)
    }

    func snapshot(processor: String, stream: StreamPath) async throws -> StateSnapshot? {
        try await base.snapshot(processor: processor, stream: stream)
    }

    func snapshots(processor: String) async throws -> [StateSnapshot] { try await base.snapshots(processor: processor) }

    func saveProgress(processor: String, snapshots: [StateSnapshot], checkpoint: Int?) async throws {
        try await base.saveProgress(processor: processor, snapshots: snapshots, checkpoint: checkpoint)
    }
}

/// What the runtime does when the store fails under a reaction.
@Suite(.timeLimit(.minutes(2)))
struct ProcessorStoreTroubleTests {
    /// Events of a batch fold in memory up to the one the processor reacts to. When that
    /// reaction cannot be stored, the runtime drops the stream's state and handles the event
    /// again from the last snapshot: each event is folded into the state exactly once.
    @Test func aReactionCutShortByTheStoreIsTriedAgainWithoutFoldingTwice() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let base = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        let store = TroubledStore(base: base, failingType: "spool/processor-failed", failures: 1)
        let path = try StreamPath("/trouble/a")
        var configuration = ProcessorHostConfiguration()
        configuration.retry = RetryPolicy(attempts: 1, initialDelay: .milliseconds(10))
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "recorder", streams: "/trouble/**", log: log, failOn: "test/boom")
        let host = ProcessorHost(store: store, processors: [processor], logger: logger, configuration: configuration)
        let running = Task { try? await host.run() }
        defer { running.cancel() }

        let types = ["test/tick", "test/tick", "test/boom", "test/tick", "test/tick"]
        _ = try await store.append(types.map { try AppendInput(type: $0) }, to: path)
        // The boom's reaction fails, so does recording that (once), then both go again. Alone this
        // takes a fraction of a second; amid the whole suite on two cores it has taken 10–14 s.
        #expect(try await eventually(timeout: .seconds(60)) {
            try await store.read(path, after: 0, limit: 100).contains { $0.type == "spool/processor-failed" }
        })
        let head = try #require(try await store.headOffset(of: path))
        #expect(head == 6)
        #expect(await eventually(timeout: .seconds(60)) { log.total == 6 })
        #expect(log.counts["/trouble/a@3"] == 2, "the reaction to the boom ran again after the store's trouble")
        #expect(log.counts["/trouble/a@6"] == nil, "its own failure record is folded, not reacted to")
        #expect(log.counts.filter { $0.key != "/trouble/a@3" }.values.allSatisfy { $0 == 1 }, "every other reaction ran once")
        let (offset, state) = try await host.state(processor: "recorder", stream: path)
        #expect(offset == head)
        #expect(state["count"] == .int(Int64(head)), "each event folded once: \(state)")
    }
}
