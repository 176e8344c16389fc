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

    /// As in the server: retries replay a failed attempt's appends, a final failure is recorded
    /// once (and not reacted to), and a paused stream gets no reactions.
    @Test func failuresAreRetriedThenRecordedAndPausedStreamsAreLeftAlone() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let retry = RetryPolicy(attempts: 3, initialDelay: .milliseconds(5))
            let flaky = AppendsThenFails(failedAttempts: 2)
            let failing = RecordingProcessor(name: "remote-failing", streams: "/remote-fail/**", log: ReactionLog(), failOnEverything: true)
            let runners = [
                Task { try await RemoteProcessorRunner(processor: flaky, client: client, retry: retry).run() },
                Task { try await RemoteProcessorRunner(processor: failing, client: client, retry: retry).run() },
            ]
            defer { for runner in runners { runner.cancel() } }

            let retried = try StreamPath("/retry/remote")
            try await client.append(AppendInput(type: "test/ping"), to: retried)
            #expect(try await eventually { try await client.read(retried).contains { $0.type == "test/done" } })

            let failed = try StreamPath("/remote-fail/a")
            try await client.append(AppendInput(type: "test/boom"), to: failed)
            #expect(try await eventually { try await client.read(failed).contains { $0.type == "spool/processor-failed" } })

            let paused = try StreamPath("/remote-fail/paused")
            try await client.append(AppendInput(type: "spool/stream-paused", payload: ["reason": "test"]), to: paused)
            try await Task.sleep(for: .milliseconds(500))

            #expect(try await client.read(retried).map(\.type) == ["test/ping", "test/effect", "test/done"])
            #expect(flaky.log.total == 3, "two failed attempts and the one that succeeded")
            let record = try await client.read(failed)
            #expect(record.map(\.type) == ["test/boom", "spool/processor-failed"], "one record, not one per record")
            #expect(record.last?.payload["processor"] == "remote-failing")
            #expect(record.last?.payload["error"]?.stringValue?.contains("planned failure") == true)
            #expect(failing.log.counts["/remote-fail/a@1"] == 3, "three attempts")
            #expect(failing.log.counts["/remote-fail/paused@1"] == nil, "no reaction on a paused stream")
            #expect(try await client.read(paused).map(\.type) == ["spool/stream-paused"])
        }
    }
}
