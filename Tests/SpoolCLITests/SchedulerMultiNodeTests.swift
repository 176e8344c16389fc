import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// The scheduler on several real `spool serve --postgres` nodes: schedules fire on
/// the one node running the `scheduler` processor, from a board kept current.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled), .serialized, .timeLimit(.minutes(3)))
struct SchedulerMultiNodeTests {
    private func schedule(_ client: SpoolClient, _ path: StreamPath, everySeconds: Int) async throws {
        try await client.append(
            AppendInput(
                type: "spool/append-scheduled",
                payload: ["name": "tick", "everySeconds": .int(Int64(everySeconds)), "event": ["type": "tick/fired"]]),
            to: path)
    }

    private func firings(_ client: SpoolClient, _ path: StreamPath) async throws -> [Event] {
        try await client.read(path, limit: 10_000).filter { $0.type == "tick/fired" }
    }

    /// Waits until `count` stays the same for a whole `window`; returns whether it did within `timeout`.
    private func settles(
        within timeout: Duration, window: Duration, _ count: () async throws -> Int
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        var last = try await count()
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: window)
            let now = try await count()
            if now == last { return true }
            last = now
        }
        return false
    }

    /// A node that started while a schedule existed (and so loaded it) but does not run the
    /// scheduler must not fire it, nor keep firing it once cancelled.
    @Test func aCancelledScheduleStopsFiringOnEveryNode() async throws {
        try await PostgresTestDatabase.with { database in
            let path = try StreamPath("/sched/cluster/cancelled")
            let first = try await SpoolNodes.start(postgresURL: database.url)
            defer { first.stop() }
            let firstClient = SpoolClient(baseURL: first.baseURL)
            try await schedule(firstClient, path, everySeconds: 1)
            #expect(try await eventually(timeout: .seconds(30)) { try await firings(firstClient, path).count >= 2 })

            // Started now, the second node finds the schedule in the scheduler's snapshots.
            let second = try await SpoolNodes.start(postgresURL: database.url)
            defer { second.stop() }
            let secondClient = SpoolClient(baseURL: second.baseURL)
            let before = try await firings(secondClient, path).count
            #expect(try await eventually(timeout: .seconds(30)) { try await firings(secondClient, path).count >= before + 2 })

            try await secondClient.append(AppendInput(type: "spool/schedule-cancelled", payload: ["name": "tick"]), to: path)
            let stopped = try await settles(within: .seconds(40), window: .seconds(4)) { try await firings(secondClient, path).count }
            #expect(stopped, "firings go on after the schedule was cancelled")
            let dueTimes = try await firings(secondClient, path).compactMap { $0.metadata?["spool.dueAt"]?.stringValue }
            #expect(dueTimes.count == Set(dueTimes).count, "a due time fired twice")
            await second.terminate()
            await first.terminate()
        }
    }

    /// `kill -9` of the node running the scheduler: the other node takes it over within
    /// the lease time and the schedule keeps firing, each due time stored once.
    @Test func anotherNodeKeepsFiringWhenTheSchedulerNodeIsKilled() async throws {
        try await PostgresTestDatabase.with { database in
            try await SpoolNodes.with(2, postgresURL: database.url) { nodes in
                let path = try StreamPath("/sched/cluster/takeover")
                // The first node started first, so it runs the scheduler.
                let first = SpoolClient(baseURL: nodes[0].baseURL)
                let second = SpoolClient(baseURL: nodes[1].baseURL)
                try await schedule(first, path, everySeconds: 1)
                #expect(try await eventually(timeout: .seconds(30)) { try await firings(second, path).count >= 2 })

                await nodes[0].kill()
                let killedAt = Timestamp.now()
                #expect(
                    try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                        try await firings(second, path).filter { $0.createdAt > killedAt }.count >= 3
                    }, "the surviving node does not fire the schedule")
                let dueTimes = try await firings(second, path).compactMap { $0.metadata?["spool.dueAt"]?.stringValue }
                #expect(dueTimes.count == Set(dueTimes).count, "a due time fired twice")
                #expect(dueTimes == dueTimes.sorted(), "due times fired out of order")
            }
        }
    }
}
