import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolTesting
import Testing

/// Dynamic workers deployed as events on a real server.
@Suite(.timeLimit(.minutes(2)))
struct WorkerIntegrationTests {
    static let counter = """
        export default {
          initialState: { count: 0 },
          reduce(state, event) {
            if (event.type === 'demo/ping') return { count: state.count + 1 };
            return state;
          },
          async afterAppend({ event, state, append }) {
            if (event.type === 'demo/ping') {
              await append({ type: 'demo/pong', payload: { count: state.count } });
            }
          }
        }
        """

    func deploy(_ client: SpoolClient, _ path: StreamPath, name: String, source: String, extra: JSONObject = [:]) async throws -> Event {
        var payload: JSONObject = ["name": .string(name), "source": .string(source)]
        for (key, value) in extra.members { payload[key] = value }
        return try await client.append(AppendInput(type: "spool/worker-configured", payload: .object(payload)), to: path)
    }

    func events(_ client: SpoolClient, _ path: StreamPath, _ type: String) async throws -> [Event] {
        try await client.read(path, limit: 10_000).filter { $0.type == type }
    }

    func ping(_ client: SpoolClient, _ path: StreamPath) async throws {
        try await client.append(AppendInput(type: "demo/ping"), to: path)
    }

    @Test func reducesAppendsSurvivesRestartAndIsReplaced() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/workers/counter")
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await ping(client, path)  // before the deploy: reduced, not reacted to
            _ = try await deploy(client, path, name: "counter", source: Self.counter)
            try await ping(client, path)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 2 })
            let pongs = try await events(client, path, "demo/pong").map { $0.payload["count"] }
            #expect(pongs == [2, 3])
            let state = try await client.send(.GET, "/state\(path.rawValue)?processor=worker:counter")
            #expect(state["state"]?["count"] == 3)
            let earlier = try await client.send(.GET, "/state\(path.rawValue)?processor=worker:counter&at=1")
            #expect(earlier["state"]?["count"] == 1, "time travel")
        }
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 3 })
            try await Task.sleep(for: .milliseconds(300))
            let pongs = try await events(client, path, "demo/pong").map { $0.payload["count"] }
            #expect(pongs == [2, 3, 4], "nothing appended twice after the restart")

            // A new version refolds the history with its reducer.
            let doubled = Self.counter.replacingOccurrences(of: "count: state.count + 1", with: "count: state.count + 2")
                .replacingOccurrences(of: "'demo/pong'", with: "'demo/pong2'")
            _ = try await deploy(client, path, name: "counter", source: doubled)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong2").count == 1 })
            #expect(try await events(client, path, "demo/pong2").first?.payload["count"] == 10)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await events(client, path, "demo/pong").count == 3, "the old version stopped")
            #expect(try await events(client, path, "spool/worker-failed").isEmpty)

            try await client.append(AppendInput(type: "spool/worker-removed", payload: ["name": "counter"]), to: path)
            try await Task.sleep(for: .milliseconds(300))
            try await ping(client, path)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await events(client, path, "demo/pong2").count == 1, "a removed worker stops")
        }
    }

    /// A version that cannot start (appended without the CLI's check) does not leave its worker
    /// dead: the version it was to replace is configured again and reacts from the failed
    /// configuration on, so an event appended with the broken version (in one batch) is not
    /// left to nobody; it is what comes back after a restart.
    @Test func aVersionThatCannotStartRestoresTheOneItWasToReplace() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/workers/restored")
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let first = try await deploy(client, path, name: "counter", source: Self.counter)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 1 })
            let broken = try AppendInput(
                type: "spool/worker-configured", payload: ["name": "counter", "source": "export default {\n  reduce(s) { return s +; }\n}"])
            let batch = try await client.append([broken, try AppendInput(type: "demo/ping")], to: path)
            #expect(try await eventually { try await events(client, path, "spool/worker-configured").count == 3 })
            let failed = try #require(try await events(client, path, "spool/worker-failed").first)
            #expect(failed.payload["configOffset"]?.intValue == Int64(batch[0].offset))
            let message = failed.payload["error"]?.stringValue ?? ""
            #expect(message.contains("cannot start") && message.contains("offset \(first.offset) is configured again"), "\(message)")
            let restoring = try #require(try await events(client, path, "spool/worker-configured").last)
            #expect(restoring.payload["restores"]?.intValue == Int64(first.offset))
            #expect(restoring.payload["startsAfter"]?.intValue == Int64(batch[0].position))
            #expect(restoring.payload["source"] == first.payload["source"])
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 2 }, "the ping beside the broken version")
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 3 })
            #expect(try await events(client, path, "demo/pong").map { $0.payload["count"] } == [1, 2, 3])
        }
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 4 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await events(client, path, "demo/pong").map { $0.payload["count"] } == [1, 2, 3, 4], "none twice")
            #expect(try await events(client, path, "spool/worker-failed").count == 1, "the restored version started again")
        }
    }

    /// A refused configuration of a running worker's name restores it too (the running version
    /// stepped aside when it saw the configuration).
    @Test func aRefusedVersionRestoresTheRunningOne() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/workers/refused")
            let first = try await deploy(client, path, name: "counter", source: Self.counter)
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 1 })
            _ = try await deploy(client, path, name: "counter", source: Self.counter, extra: ["timeoutMs": 0])
            #expect(try await eventually { try await events(client, path, "spool/worker-configured").count == 3 })
            let message = try await events(client, path, "spool/worker-failed").first?.payload["error"]?.stringValue ?? ""
            #expect(message.contains("configuration refused: timeoutMs"), "\(message)")
            #expect(try await events(client, path, "spool/worker-configured").last?.payload["restores"]?.intValue == Int64(first.offset))
            try await ping(client, path)
            #expect(try await eventually { try await events(client, path, "demo/pong").count == 2 })
        }
    }

    /// Deploys `source` on a fresh stream, pings it and returns the `spool/worker-failed` events.
    func failures(
        _ client: SpoolClient, _ stream: String, source: String, extra: JSONObject = [:], pings: Int = 1
    ) async throws -> [Event] {
        let path = try StreamPath(stream)
        _ = try await deploy(client, path, name: "w" + String(stream.split(separator: "/").last ?? "x"), source: source, extra: extra)
        for _ in 0..<pings { try await ping(client, path) }
        _ = try await eventually { try await !events(client, path, "spool/worker-failed").isEmpty }
        return try await events(client, path, "spool/worker-failed")
    }

    @Test func violationsBecomeWorkerFailedAndTheServerStaysHealthy() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let cases: [(stream: String, source: String, extra: JSONObject, expected: String)] = [
                ("/fail/loopreduce", "({ initialState: 0, reduce(s, e) { if (e.type === 'demo/ping') { while (true) {} } return s } })", [:], "timed out"),
                ("/fail/loopafter", "export default { initialState: 0, reduce(s) { return s }, async afterAppend() { while (true) {} } }", ["timeoutMs": 200], "timed out"),
                ("/fail/throws", "export default { initialState: 0, reduce(s) { return s }, async afterAppend() { throw new Error('kaput') } }", [:], "kaput"),
                ("/fail/syntax", "export default {\n  initialState: 0,\n  reduce(s) { return s +; }\n}", [:], "(line 3, column "),
                ("/fail/fetch", "export default { initialState: 0, reduce(s) { return s }, async afterAppend({ fetch }) { await fetch('http://example.com/') } }", ["allowHosts": ["api.example.org"]], "not allowed"),
                ("/fail/other", "export default { initialState: 0, reduce(s) { return s }, async afterAppend({ append }) { await append({ type: 'x/y' }, '/elsewhere') } }", [:], "may append only to /fail/other"),
                ("/fail/refused", "export default { initialState: 0, reduce(s) { return s } }", ["timeoutMs": 0], "configuration refused: timeoutMs"),
                ("/fail/huge", "export default { initialState: '', reduce(s, e) { return e.type === 'demo/ping' ? 'x'.repeat(2000000) : s } }", [:], "limit"),
            ]
            for item in cases {
                let found = try await failures(client, item.stream, source: item.source, extra: item.extra)
                #expect(!found.isEmpty, "\(item.stream) produced spool/worker-failed")
                let message = found.first?.payload["error"]?.stringValue ?? ""
                #expect(message.contains(item.expected), "\(item.stream): \(message)")
                if ["/fail/fetch", "/fail/other"].contains(item.stream) {
                    #expect(!message.contains("(line"), "no line of Spool's own code: \(message)")
                }
                let payload = try #require(found.first?.payload)
                #expect(payload["name"]?.stringValue != nil && payload["sourceOffset"]?.intValue != nil, "\(item.stream): \(payload)")
                #expect(payload["configOffset"]?.intValue != nil, "\(item.stream): \(payload)")
                // Appends keep working.
                try await client.append(AppendInput(type: "demo/other"), to: try StreamPath("/fail/healthy"))
            }
            try await client.health()
        }
    }

    @Test func aWorkerThatKeepsFailingIsStopped() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/fail/repeatedly")
            let source = "export default { initialState: 0, reduce(s) { return s }, async afterAppend({ event }) { if (event.type === 'demo/ping') throw new Error('no') } }"
            _ = try await deploy(client, path, name: "flaky", source: source)
            for _ in 0..<8 { try await ping(client, path) }
            #expect(try await eventually { try await events(client, path, "spool/worker-stopped").count == 1 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await events(client, path, "spool/worker-failed").count == 5)
        }
    }

    /// A worker over many streams reacts to them at once: while the host serves one call's
    /// appends, the others take their turns in the same sandbox, each with its own promises.
    @Test func aWorkerReactsToManyStreamsAtOnce() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let home = try StreamPath("/many")
            let source = """
                export default {
                  initialState: { n: 0 },
                  reduce(state, event) { return event.type === 'demo/ping' ? { n: state.n + 1 } : state; },
                  async afterAppend({ event, state, append }) {
                    if (event.type !== 'demo/ping') return;
                    const first = await append({ type: 'demo/seen', payload: { n: state.n } });
                    await append({ type: 'demo/seen-again', payload: { after: first.offset } });
                  }
                }
                """
            _ = try await deploy(client, home, name: "many", source: source, extra: ["streams": "**"])
            let children = try (0..<20).map { try StreamPath("/many/c\($0)") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for child in children { group.addTask { try await ping(client, child) } }
                try await group.waitForAll()
            }
            for child in children {
                #expect(try await eventually { try await events(client, child, "demo/seen-again").count == 1 }, "\(child)")
                let seen = try await events(client, child, "demo/seen")
                let again = try await events(client, child, "demo/seen-again")
                #expect(seen.map { $0.payload["n"] } == [1], "\(child)")
                #expect(again.first?.payload["after"] == seen.first.map { .int(Int64($0.offset)) }, "\(child)")
            }
            #expect(try await events(client, home, "spool/worker-failed").isEmpty)
        }
    }
}
