import Logging
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Testing

/// A processor handed only the events it wants, starting far behind the store.
@Suite(.timeLimit(.minutes(2)))
struct FilteredCatchUpTests {
    /// Wants only `test/*` events; its reaction to a `test/ping` never ends (until cancelled).
    struct StuckOnPings: StreamProcessor, EventInterest {
        let name = "stuck"
        let streams: StreamPattern = "/**"
        let initialState = 0

        func reduce(into state: inout Int, event: Event) { state += 1 }

        func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
            if event.type == "test/ping" { try await Task.sleep(for: .seconds(3600)) }
        }

        func isInterested(in event: Event) -> Bool { event.type.hasPrefix("test/") }
    }

    /// Catching up through a long history of events it does not want moves the saved
    /// checkpoint as it goes, page by page: a restart would not read that history again, even
    /// while the one event it wants is still being handled.
    @Test func theCheckpointFollowsTheHistoryItIsNotHanded() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        let path = try StreamPath("/busy/a")
        _ = try await store.append((0..<(2 * LiveTail.pageSize + 500)).map { _ in try AppendInput(type: "noise/x") }, to: path)
        let ping = try await store.append(AppendInput(type: "test/ping"), to: path)
        let host = ProcessorHost(store: store, processors: [StuckOnPings()], logger: logger)
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        let consumer = ProcessorCheckpoint.consumer(of: "stuck")
        #expect(try await eventually { try await store.checkpoint(for: consumer) == 2 * LiveTail.pageSize })
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await store.checkpoint(for: consumer) == 2 * LiveTail.pageSize, "nothing past the ping at \(ping.position), still handled")
    }
}
