import SpoolClient
import SpoolCore
import Logging
import SpoolProcessors
import SpoolStore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct SchedulerIntegrationTests {
    func schedule(_ client: SpoolClient, _ path: StreamPath, _ fields: JSONObject) async throws {
        var payload = fields
        payload["event"] = ["type": "reminder/due", "payload": ["note": "stand up"]]
        try await client.append(AppendInput(type: "spool/append-scheduled", payload: .object(payload)), to: path)
    }

    func fired(_ client: SpoolClient, _ path: StreamPath) async throws -> [Event] {
        try await client.read(path, limit: 10_000).filter { $0.type == "reminder/due" }
    }

    @Test func firesAfterADelayAndEveryInterval() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let once = try StreamPath("/sched/once")
            try await schedule(client, once, ["name": "once", "afterSeconds": 1])
            #expect(try await eventually { try await fired(client, once).count == 1 })
            let event = try #require(try await fired(client, once).first)
            #expect(event.payload["note"] == "stand up")
            #expect(event.metadata?["spool.schedule"] == "once")

            let repeating = try StreamPath("/sched/every")
            try await schedule(client, repeating, ["name": "tick", "everySeconds": 1])
            #expect(try await eventually { try await fired(client, repeating).count >= 2 })
            try await client.append(AppendInput(type: "spool/schedule-cancelled", payload: ["name": "tick"]), to: repeating)
            try await Task.sleep(for: .milliseconds(300))
            let afterCancel = try await fired(client, repeating).count
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await fired(client, repeating).count == afterCancel, "a cancelled schedule stops firing")
            // One-shot schedules fire once.
            #expect(try await fired(client, once).count == 1)
        }
    }

    @Test func aRunMissedWhileDownFiresOnceOnStart() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/sched/restart")
        let at = Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + 3000)
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await schedule(client, path, ["name": "later", "at": .string(at.iso8601)])
            try await schedule(client, path, ["name": "every", "everySeconds": 1])
            #expect(try await eventually { try await fired(client, path).contains { $0.metadata?["spool.schedule"] == "every" } })
        }
        let downAt = Timestamp.now()
        // Down past `at` and across several `every` periods.
        try await Task.sleep(for: .milliseconds(max(0, at.millisecondsSinceEpoch - downAt.millisecondsSinceEpoch) + 2500))
        let restartedAt = Timestamp.now()
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            #expect(try await eventually { try await fired(client, path).contains { $0.metadata?["spool.schedule"] == "later" } })
            try await Task.sleep(for: .milliseconds(400))
            let all = try await fired(client, path)
            let later = all.filter { $0.metadata?["spool.schedule"] == "later" }
            #expect(later.count == 1, "a one-shot schedule fires exactly once")
            if downAt < at { #expect(later.first.map { $0.createdAt >= restartedAt } == true, "missed while down, fired on start") }
            let everyOnStart = all.filter { $0.metadata?["spool.schedule"] == "every" && $0.createdAt >= restartedAt }
            // Several periods were missed; they fire once at start. After that the schedule keeps
            // its one-second rhythm, however long this check took on a busy machine.
            let lastMilliseconds = everyOnStart.map(\.createdAt.millisecondsSinceEpoch).max() ?? restartedAt.millisecondsSinceEpoch
            let secondsSinceRestart = Int((lastMilliseconds - restartedAt.millisecondsSinceEpoch) / 1000)
            #expect(
                everyOnStart.count <= 2 + secondsSinceRestart,
                "missed runs fire once, not once per missed second: \(everyOnStart.count) firings in \(secondsSinceRestart) s")
        }
    }

    /// The scheduler's snapshots stop at its checkpoint. A schedule cancelled after that (here:
    /// while the server was down; in a cluster: just before a takeover) must not fire when the
    /// server starts, although it is overdue then and the processor takes a while to reach the
    /// cancellation (many events stand before it).
    @Test func aScheduleCancelledAfterItsLastSnapshotDoesNotFireOnStart() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/sched/cancelled-while-down")
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            try await schedule(client, path, ["name": "tick", "everySeconds": 1])
            #expect(try await eventually { try await !fired(client, path).isEmpty })
        }
        // Written straight into the store, behind the scheduler's back.
        let cancellation: Event
        do {
            let store = try SQLiteEventStore(directory: directory, logger: Logger(label: "test"))
            let filler = try StreamPath("/sched/filler")
            let batch = try (0..<1000).map { try AppendInput(type: "filler/added", payload: ["n": .int(Int64($0))]) }
            for _ in 0..<100 { _ = try await store.append(batch, to: filler) }
            cancellation = try await store.append(AppendInput(type: "spool/schedule-cancelled", payload: ["name": "tick"]), to: path)
        }
        try await Task.sleep(for: .milliseconds(1200))  // a run is overdue on start
        try await TestServer.with(dataDirectory: directory) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let caughtUp = try await eventually(timeout: .seconds(30)) {
                let statuses = try await client.send(.GET, "/processors").arrayValue ?? []
                return statuses.contains { $0["name"] == "scheduler" && $0["lag"] == 0 }
            }
            #expect(caughtUp)
            try await Task.sleep(for: .milliseconds(500))  // a pass of the scheduler's service or two
            let late = try await fired(client, path).filter { $0.offset > cancellation.offset }
            #expect(late.isEmpty, "a schedule cancelled while the server was down fired \(late.count) time(s)")
        }
    }
}
