import Foundation
import Logging
import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Testing

/// The processor runtime inside a real server: reduce, react, checkpoints, snapshots, time travel.
@Suite(.timeLimit(.minutes(2)))
struct ProcessorRuntimeTests {
    func pongs(_ client: SpoolClient, _ path: StreamPath) async throws -> [Event] {
        try await client.read(path, limit: 10_000).filter { $0.type == "test/pong" }
    }

    /// The processor's entry of `GET /processors` once it shows no lag (nil if it never does).
    func caughtUpStatus(_ client: SpoolClient, of name: String) async throws -> JSONValue? {
        func status() async throws -> JSONValue? {
            try await client.send(.GET, "/processors").arrayValue?.first { $0["name"] == .string(name) }
        }
        guard try await eventually({ try await status()?["lag"] == 0 }) else { return nil }
        return try await status()
    }

    @Test func reducesAndReactsToEveryEventOnce() async throws {
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "recorder", streams: "/rt/**", log: log)
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/rt/one")
            for _ in 0..<20 { try await client.append(AppendInput(type: "test/ping"), to: path) }
            #expect(try await eventually { try await pongs(client, path).count == 20 })
            // Pongs are events too: each is reduced and seen once.
            #expect(await eventually { log.total == 40 })
            #expect(log.counts.values.allSatisfy { $0 == 1 })
            #expect(log.offsets(of: "/rt/one") == Array(1...40))
            // Each pong carries the state after reducing its ping: counts are increasing.
            let counts = try await pongs(client, path).compactMap { $0.payload["count"]?.intValue }
            #expect(counts == counts.sorted())
        }
    }

    @Test func ignoresStreamsOutsideItsPattern() async throws {
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "recorder", streams: "/rt/*", log: log)
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await client.append(AppendInput(type: "test/ping"), to: StreamPath("/rt/deeper/child"))
            try await client.append(AppendInput(type: "test/ping"), to: StreamPath("/other"))
            try await client.append(AppendInput(type: "test/ping"), to: StreamPath("/rt/child"))
            #expect(try await eventually { try await pongs(client, StreamPath("/rt/child")).count == 1 })
            #expect(try await pongs(client, StreamPath("/rt/deeper/child")).isEmpty)
            #expect(try await pongs(client, StreamPath("/other")).isEmpty)
        }
    }

    @Test func timeTravelEqualsAFreshFold() async throws {
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "recorder", streams: "/tt/**", log: log)
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/tt/a")
            let types = (0..<250).map { "kind/\($0 % 3)" }
            _ = try await client.append(types.map { try AppendInput(type: $0) }, to: path)
            #expect(await eventually { log.total == 250 })
            for at in [1, 7, 100, 249, 250] {
                let answer = try await client.send(.GET, "/state/tt/a?processor=recorder&at=\(at)")
                var expected = RecordingProcessor.State()
                for type in types.prefix(at) {
                    expected.count += 1
                    expected.types[type, default: 0] += 1
                }
                #expect(answer["offset"]?.intValue == Int64(at))
                #expect(answer["state"]?["count"]?.intValue == Int64(expected.count))
                #expect((answer["state"]?["types"]?["kind/1"]?.intValue ?? 0) == Int64(expected.types["kind/1"] ?? 0))
            }
            let head = try await client.send(.GET, "/state/tt/a?processor=recorder")
            #expect(head["offset"]?.intValue == 250)
            await #expect(throws: SpoolError.self) { try await client.send(.GET, "/state/tt/a?processor=missing") }
            await #expect(throws: SpoolError.self) { try await client.send(.GET, "/state/elsewhere?processor=recorder") }
        }
    }

    /// Refolds read pages of 10,000 events two at a time: every boundary counts each event once.
    @Test func timeTravelAcrossManyPages() async throws {
        let processor = RecordingProcessor(name: "recorder", streams: "/pages/**", log: ReactionLog())
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/pages/long")
            let batch = try (0..<1_000).map { _ in try AppendInput(type: "kind/x") }
            for _ in 0..<25 { _ = try await client.append(batch, to: path) }
            _ = try await client.append(AppendInput(type: "kind/x"), to: path)
            for at in [9_999, 10_000, 10_001, 20_000, 20_001, 25_001] {
                let answer = try await client.send(.GET, "/state/pages/long?processor=recorder&at=\(at)")
                #expect(answer["state"]?["count"]?.intValue == Int64(at), "state at \(at)")
            }
        }
    }

    @Test func catchesUpThenFollowsLiveWithoutGapsOrRepeats() async throws {
        let directory = TestServer.temporaryDirectory()
        // History written before the processor exists.
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            for stream in 0..<4 {
                let inputs = try (0..<500).map { _ in try AppendInput(type: "test/event") }
                _ = try await client.append(inputs, to: StreamPath("/cu/\(stream)"))
            }
        }
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "late", streams: "/cu/**", log: log)
        try await TestServer.with(dataDirectory: directory, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            // Append while the processor is still catching up.
            for round in 0..<100 {
                try await client.append(AppendInput(type: "test/event"), to: StreamPath("/cu/\(round % 4)"))
            }
            #expect(await eventually(timeout: .seconds(30)) { log.total == 2100 })
            #expect(log.counts.values.allSatisfy { $0 == 1 })
            for stream in 0..<4 { #expect(log.offsets(of: "/cu/\(stream)") == Array(1...525)) }
        }
    }

    @Test func restartResumesFromCheckpointWithoutRepeating() async throws {
        let directory = TestServer.temporaryDirectory()
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "durable", streams: "/rs/**", log: log)
        let path = try StreamPath("/rs/a")
        try await TestServer.with(dataDirectory: directory, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            for _ in 0..<150 { try await client.append(AppendInput(type: "test/event"), to: path) }
            #expect(await eventually { log.total == 150 })
        }
        try await TestServer.with(dataDirectory: directory, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            for _ in 0..<10 { try await client.append(AppendInput(type: "test/ping"), to: path) }
            #expect(try await eventually { try await pongs(client, path).count == 10 })
            // The state after restart continues the fold (snapshot + tail), not from zero.
            let counts = try await pongs(client, path).compactMap { $0.payload["count"]?.intValue }
            #expect(counts.first == 151)
            let status = try await client.send(.GET, "/processors")
            #expect(status.arrayValue?.contains { $0["name"] == "durable" } == true)
        }
        #expect(log.counts.values.allSatisfy { $0 == 1 }, "no event handled twice across a graceful restart")
        #expect(log.offsets(of: "/rs/a") == Array(1...170))
    }

    /// A processor of a few streams keeps its checkpoint near the head while other streams are
    /// busy: `GET /processors` shows no growing lag, and a restart has little to re-read.
    @Test func anIdleProcessorsCheckpointFollowsTheStore() async throws {
        let processor = RecordingProcessor(name: "quiet", streams: "/quiet/**", log: ReactionLog())
        try await TestServer.with(configure: { $0.keepAliveInterval = .milliseconds(100) }, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await client.append(AppendInput(type: "test/event"), to: try StreamPath("/quiet/a"))
            _ = try await client.append(try (0..<50).map { _ in try AppendInput(type: "other/noise") }, to: try StreamPath("/busy/b"))
            let status = try #require(try await caughtUpStatus(client, of: "quiet"))
            #expect(status["checkpoint"] == 51 && status["headPosition"] == 51, "\(status)")
        }
    }

    /// A processor handed only the events it wants is not woken by the others, yet its saved
    /// checkpoint moves past them without any keep-alive: a restart has nothing to re-read.
    @Test func aSelectiveProcessorsCheckpointFollowsTheEventsItIsNotHanded() async throws {
        let log = ReactionLog()
        let processor = SelectiveProcessor(recorder: RecordingProcessor(name: "selective", streams: "/sel/**", log: log))
        try await TestServer.with(configure: { $0.keepAliveInterval = .seconds(3600) }, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await client.append(AppendInput(type: "test/ping"), to: try StreamPath("/sel/a"))
            #expect(try await eventually { try await pongs(client, try StreamPath("/sel/a")).count == 1 })
            _ = try await client.append(try (0..<50).map { _ in try AppendInput(type: "other/noise") }, to: try StreamPath("/sel/a"))
            _ = try await client.append(try (0..<50).map { _ in try AppendInput(type: "other/noise") }, to: try StreamPath("/busy/b"))
            let status = try #require(try await caughtUpStatus(client, of: "selective"))
            #expect(status["checkpoint"] == 102 && status["headPosition"] == 102, "\(status)")
        }
        #expect(log.counts.count == 2, "afterAppend saw the ping and its pong, none of the 100 others")
    }

    /// A processor that says for which events `afterAppend` may act is called for those only,
    /// while it still folds every event.
    @Test func afterAppendIsSkippedForEventsAProcessorDoesNotReactTo() async throws {
        let log = ReactionLog()
        let processor = PingReactor(recorder: RecordingProcessor(name: "pinged", streams: "/react/**", log: log))
        let path = try StreamPath("/react/a")
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            for round in 1...3 {
                _ = try await client.append(try (0..<20).map { _ in try AppendInput(type: "other/noise") }, to: path)
                try await client.append(AppendInput(type: "test/ping"), to: path)
                #expect(try await eventually { try await pongs(client, path).count == round })
            }
            let counts = try await pongs(client, path).compactMap { $0.payload["count"]?.intValue }
            #expect(counts == [21, 43, 65], "the state folds the noise and the pongs too")
        }
        #expect(log.counts.count == 3, "afterAppend saw the 3 pings only, not the 60 others or the pongs")
    }

    /// A processor that says which events it wants is handed only those, among many others,
    /// and folds the same state as one that sees everything, also across a restart.
    @Test func aProcessorIsHandedOnlyTheEventsItWants() async throws {
        let directory = TestServer.temporaryDirectory()
        let log = ReactionLog()
        let processor = SelectiveProcessor(recorder: RecordingProcessor(name: "selective", streams: "/sel/**", log: log))
        let path = try StreamPath("/sel/a")
        @Sendable func appendMixed(_ client: SpoolClient, pings: Int) async throws {
            for _ in 0..<pings {
                let answered = (try? await pongs(client, path).count) ?? 0  // no stream yet: none
                _ = try await client.append(try (0..<20).map { _ in try AppendInput(type: "other/noise") }, to: path)
                try await client.append(AppendInput(type: "test/ping"), to: path)
                #expect(try await eventually { try await pongs(client, path).count == answered + 1 })  // ping, pong, ping…
            }
        }
        try await TestServer.with(dataDirectory: directory, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await appendMixed(client, pings: 5)
            #expect(try await eventually { try await pongs(client, path).count == 5 })
        }
        try await TestServer.with(dataDirectory: directory, processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await appendMixed(client, pings: 5)
            #expect(try await eventually { try await pongs(client, path).count == 10 })
            // Pings and pongs only: 10 of each, counted in order across the restart.
            let counts = try await pongs(client, path).compactMap { $0.payload["count"]?.intValue }
            #expect(counts == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
            let head = try await client.send(.GET, "/state/sel/a?processor=selective")
            #expect(head["state"]?["count"] == 20)
            #expect(head["state"]?["types"]?["other/noise"] == nil)
        }
        #expect(log.counts.count == 20, "afterAppend saw the 10 pings and 10 pongs, none of the 200 others")
        #expect(log.counts.values.allSatisfy { $0 == 1 }, "none twice")
    }

    @Test func failingReactionIsRetriedThenRecorded() async throws {
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "flaky", streams: "/fail/**", log: log, failOn: "test/boom")
        try await TestServer.with(
            configure: { $0.processorHost.retry = RetryPolicy(attempts: 3, initialDelay: .milliseconds(10)) },
            processors: [processor]
        ) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/fail/a")
            try await client.append(AppendInput(type: "test/boom"), to: path)
            try await client.append(AppendInput(type: "test/ping"), to: path)
            #expect(try await eventually { try await client.read(path).contains { $0.type == "spool/processor-failed" } })
            let failure = try await client.read(path).first { $0.type == "spool/processor-failed" }
            #expect(failure?.payload["processor"] == "flaky")
            #expect(failure?.payload["sourceOffset"] == 1)
            #expect(failure?.payload["error"]?.stringValue?.contains("planned failure") == true)
            #expect(log.counts["/fail/a@1"] == 3, "three attempts")
            // The failure did not stop the stream: the next event was handled.
            #expect(try await eventually { try await pongs(client, path).count == 1 })
        }
    }

    /// Appends one `type` to `path` on a server running `processor` with quick retries, waits
    /// for an event of type `awaited`, lets the runtime settle, and returns the stream's types.
    private func typesAfterAppending(
        _ type: String, to path: String, processor: some StreamProcessor, attempts: Int, awaiting awaited: String
    ) async throws -> [String] {
        try await TestServer.with(
            configure: { $0.processorHost.retry = RetryPolicy(attempts: attempts, initialDelay: .milliseconds(5)) },
            processors: [processor]
        ) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath(path)
            try await client.append(AppendInput(type: type), to: path)
            #expect(try await eventually { try await client.read(path).contains { $0.type == awaited } })
            try await Task.sleep(for: .milliseconds(300))
            return try await client.read(path).map(\.type)
        }
    }

    /// An attempt that appended and then failed is retried: the retry's appends replay the
    /// failed attempt's by their keys, so each effect is stored once.
    @Test func aRetryDoesNotStoreTheFailedAttemptsAppendsAgain() async throws {
        let processor = AppendsThenFails(failedAttempts: 2)
        let types = try await typesAfterAppending("test/ping", to: "/retry/a", processor: processor, attempts: 4, awaiting: "test/done")
        #expect(types == ["test/ping", "test/effect", "test/done"], "\(types)")
        #expect(processor.log.total == 3, "two failed attempts and the one that succeeded")
    }

    /// A processor that fails on everything records one failure per event: not one for its own
    /// failure record, and another for that, for ever.
    @Test func aProcessorDoesNotReactToItsOwnFailureRecord() async throws {
        let processor = RecordingProcessor(name: "always-failing", streams: "/own/**", log: ReactionLog(), failOnEverything: true)
        let types = try await typesAfterAppending(
            "test/boom", to: "/own/a", processor: processor, attempts: 2, awaiting: "spool/processor-failed")
        #expect(types == ["test/boom", "spool/processor-failed"], "\(types)")
    }

    @Test func pausedStreamsGetNoReactions() async throws {
        let log = ReactionLog()
        let processor = RecordingProcessor(name: "recorder", streams: "/ps/**", log: log)
        try await TestServer.with(processors: [processor]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/ps/a")
            try await client.append(AppendInput(type: "spool/stream-paused", payload: ["reason": "test"]), to: path)
            await #expect(throws: SpoolError.self) { try await client.append(AppendInput(type: "test/ping"), to: path) }
            try await client.append(AppendInput(type: "spool/stream-resumed"), to: path)
            try await client.append(AppendInput(type: "test/ping"), to: path)
            #expect(try await eventually { try await pongs(client, path).count == 1 })
            #expect(log.counts["/ps/a@1"] == nil, "no reaction while paused")
        }
    }
}
