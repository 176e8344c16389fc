import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolTesting
import Testing

/// A Swift processor running out of process, against the HTTP API.
@Suite(.timeLimit(.minutes(2)))
struct RemoteProcessorRunnerTests {
    @Test func runsAProcessorRemotelyAndResumesFromItsServerSideCheckpoint() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/remote/a")
            let log = ReactionLog()
            let runner = RemoteProcessorRunner(
                processor: RecordingProcessor(name: "remote-recorder", streams: "/remote/**", log: log), client: client)
            for _ in 0..<3 { try await client.append(AppendInput(type: "test/ping"), to: path) }

            func pongCount() async throws -> Int { try await client.read(path).filter { $0.type == "test/pong" }.count }
            let first = Task { try await runner.run() }
            #expect(try await eventually { try await pongCount() == 3 })
            #expect(await eventually { log.total == 6 })
            first.cancel()
            _ = await first.result

            // While it is down, more work arrives; the restarted runner continues the fold.
            for _ in 0..<2 { try await client.append(AppendInput(type: "test/ping"), to: path) }
            let second = Task { try await runner.run() }
            #expect(try await eventually { try await pongCount() == 5 })
            second.cancel()
            _ = await second.result

            let counts = try await client.read(path).filter { $0.type == "test/pong" }.compactMap { $0.payload["count"]?.intValue }
            #expect(counts.count == 5, "no duplicate pongs")
            #expect(Set(counts).count == 5)
            let checkpoint = try await client.send(.GET, "/checkpoints/remote:remote-recorder")
            #expect((checkpoint["position"]?.intValue ?? 0) > 0)
        }
    }
}
