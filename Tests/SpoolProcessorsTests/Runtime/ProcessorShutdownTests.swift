import Logging
import ServiceLifecycle
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Synchronization
import Testing

/// A graceful shutdown does not wait for a processor's backlog: the reactions under way get
/// `shutdownGrace`, nothing new starts, and the next start handles what was left, once.
@Suite(.timeLimit(.minutes(2)))
struct ProcessorShutdownTests {
    /// Records the offsets it reacts to; the reaction to `stuckAt` waits until cancelled.
    struct BacklogProcessor: StreamProcessor {
        let name = "backlog"
        let streams: StreamPattern = "/backlog/**"
        let initialState = 0
        let stuckAt: Int?
        let reacted = Offsets()
        /// Thrown by a reaction cut short, as an HTTP client's cancelled request throws its own error.
        struct Interrupted: Error {}

        func reduce(into state: inout Int, event: Event) { state += 1 }

        func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
            reacted.append(event.offset)
            guard event.offset == stuckAt else { return }
            do { try await Task.sleep(for: .seconds(3600)) } catch { throw Interrupted() }
        }
    }

    let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `processor` over `store` until `body` returns, then shuts down gracefully.
    /// - Returns: how long the shutdown took.
    func run(_ processor: BacklogProcessor, on store: SQLiteEventStore, _ body: () async throws -> Void) async throws -> Duration {
        var configuration = ProcessorHostConfiguration()
        configuration.shutdownGrace = .milliseconds(200)
        configuration.retry = RetryPolicy(attempts: 1, initialDelay: .milliseconds(10))
        let host = ProcessorHost(store: store, processors: [processor], logger: logger, configuration: configuration)
        let group = ServiceGroup(configuration: .init(services: [host], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            let clock = ContinuousClock()
            let started = clock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return clock.now - started
        }
    }

    @Test func aShutdownLeavesTheBacklogToTheNextStart() async throws {
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        let path = try StreamPath("/backlog/a")
        _ = try await store.append((1...10).map { _ in try AppendInput(type: "test/tick") }, to: path)

        let stuck = BacklogProcessor(stuckAt: 3)
        let took = try await run(stuck, on: store) {
            #expect(await eventually { stuck.reacted.all.contains(3) })
        }
        #expect(took < .seconds(30), "the shutdown waited for the stuck reaction")
        #expect(stuck.reacted.all == [1, 2, 3], "nothing new started once stopping")
        let failures = try await store.read(path, after: 0, limit: 100).filter { $0.type == Reaction.failedType }
        #expect(failures.isEmpty, "a reaction cut short by the shutdown is not the processor's failure")
        let checkpoint = try await store.checkpoint(for: ProcessorCheckpoint.consumer(of: "backlog"))
        #expect(checkpoint == 2, "saved through the last event handled")

        let free = BacklogProcessor(stuckAt: nil)
        _ = try await run(free, on: store) {
            #expect(await eventually { free.reacted.all.count >= 8 })
        }
        #expect(free.reacted.all == Array(3...10), "the event cut short and the backlog, each once")
    }
}

/// Offsets recorded by one task and read by another.
final class Offsets: Sendable {
    private let offsets = Mutex<[Int]>([])
    var all: [Int] { offsets.withLock { $0 } }
    func append(_ offset: Int) { offsets.withLock { $0.append(offset) } }
}
