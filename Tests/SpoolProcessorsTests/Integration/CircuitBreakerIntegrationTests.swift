import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolServer
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct CircuitBreakerIntegrationTests {
    @Test func pausesARunawayLoopAndResumesOnRequest() async throws {
        try await TestServer.with(
            // 50 events in 5 s: a loop on a machine busy with a parallel test run (appends of 10 ms and more)
            // still trips it, which 100 in 1 s would not reliably.
            configure: { $0.circuitBreaker = CircuitBreakerLimit(maxEvents: 50, windowSeconds: 5) },
            processors: [Runaway()]
        ) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/loop/a")
            try await client.append(AppendInput(type: "loop/tick"), to: path)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await client.read(path, limit: 10_000).contains { $0.type == StreamPause.pausedType }
            })
            let events = try await client.read(path, limit: 10_000)
            let pause = try #require(events.firstIndex { $0.type == StreamPause.pausedType })
            // The breaker reacts asynchronously (no before-hooks), so a loop gets past the limit, further
            // when the machine is busy (a parallel test run: 250 was seen). How far on a quiet machine is
            // measured by `spool bench processors` (target: within 10%); here, only that the loop is stopped.
            #expect(pause > 50 && pause <= 1_000, "paused after the threshold, after \(pause) events")
            #expect(events[pause].payload["maxEvents"] == 50)
            // Paused means refused.
            await #expect(throws: SpoolError.self) { try await client.append(AppendInput(type: "loop/tick"), to: path) }
            let pausedHead = try await client.read(path, limit: 10_000).count
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await client.read(path, limit: 10_000).count == pausedHead, "nothing appended while paused")

            // Resuming restarts the loop, which the breaker pauses again.
            try await client.append(AppendInput(type: StreamPause.resumedType), to: path)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await client.read(path, limit: 10_000).filter { $0.type == StreamPause.pausedType }.count == 2
            })
            let status = try await client.streams(prefix: "/loop")
            #expect(status.first?.paused == true)
        }
    }
}
