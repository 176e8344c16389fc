import Logging
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Testing

/// `ProcessorHost.waitUntilHandled`: what a service acting for a processor waits for
/// before it looks at the state the processor's run caught up with.
@Suite(.timeLimit(.minutes(2)))
struct ProcessorHandledWaitTests {
    @Test func returnsOnceTheRunHandledThePositionAndFalseWhenTheRunEnds() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        let path = try StreamPath("/handled/a")
        _ = try await store.append((1...300).map { _ in try AppendInput(type: "test/tick") }, to: path)
        let head = try await store.headPosition()
        let host = ProcessorHost(store: store, processors: [], logger: logger)
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        let log = ReactionLog()
        host.add(RecordingProcessor(name: "recorder", streams: "/handled/**", log: log))
        #expect(await eventually { host.currentRun(of: "recorder") != nil })
        let run = try #require(host.currentRun(of: "recorder"))

        #expect(try await host.waitUntilHandled("recorder", through: head, inRun: run))
        #expect(log.total == 300, "every event through the position was reacted to")
        #expect(try await store.checkpoint(for: "processor:recorder") >= head, "and that progress is saved")

        async let beyond = host.waitUntilHandled("recorder", through: head + 1_000, inRun: run)
        try await Task.sleep(for: .milliseconds(100))
        host.remove(key: "recorder")
        #expect(try await beyond == false, "the run ended before it got there")
    }
}
