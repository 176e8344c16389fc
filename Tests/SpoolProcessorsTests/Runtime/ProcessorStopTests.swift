import Logging
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Synchronization
import Testing

/// A processor run that is cancelled (as when its node loses the processor's lease) ends,
/// whatever it was waiting for, so the node can take the processor again later.
@Suite(.timeLimit(.minutes(2)))
struct ProcessorStopTests {
    /// Blocks in `afterAppend` until cancelled, after saying it started.
    struct StuckProcessor: StreamProcessor {
        let name = "stuck"
        let streams: StreamPattern = "/stuck/**"
        let initialState = 0
        let started = Flag()

        func reduce(into state: inout Int, event: Event) { state += 1 }

        func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
            started.set()
            try await Task.sleep(for: .seconds(3600))
        }
    }

    @Test func aRunCancelledWhileTheFeedWaitsForRoomEnds() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        // More than one feed page (1000 events): the second page waits for room the stuck first one holds.
        _ = try await store.append((1...1500).map { _ in try AppendInput(type: "test/tick") }, to: StreamPath("/stuck/a"))
        var configuration = ProcessorHostConfiguration()
        configuration.maximumInFlight = 2
        let processor = StuckProcessor()
        let host = ProcessorHost(store: store, processors: [processor], logger: logger, configuration: configuration)
        let ended = Flag()
        let run = Task {
            try? await host.run()
            ended.set()
        }
        #expect(await eventually(timeout: .seconds(30)) { processor.started.isSet })
        #expect(host.runsHere("stuck"))
        try await Task.sleep(for: .milliseconds(300))  // the feed reaches its wait for room
        run.cancel()
        #expect(await eventually(timeout: .seconds(30)) { ended.isSet }, "the cancelled run did not end")
        #expect(!host.runsHere("stuck"))
    }
}

/// A flag one task sets and another polls.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
