import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// Dynamic workers on several real `spool serve --postgres` nodes: they run where the
/// `workers` processor runs, so they follow it to another node, and a removal holds everywhere.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled), .serialized, .timeLimit(.minutes(3)))
struct WorkersMultiNodeTests {
    static let ponger = """
        export default {
          initialState: 0,
          reduce(state) { return state; },
          async afterAppend({ event, append }) {
            if (event.type === 'demo/ping') await append({ type: 'demo/pong', payload: { ping: event.offset } });
          }
        }
        """

    private func deploy(_ client: SpoolClient, _ path: StreamPath) async throws {
        try await client.append(
            AppendInput(type: "spool/worker-configured", payload: ["name": "ponger", "source": .string(Self.ponger)]), to: path)
    }

    private func ping(_ client: SpoolClient, _ path: StreamPath) async throws -> Int {
        try await client.append(AppendInput(type: "demo/ping"), to: path).offset
    }

    private func pongs(_ client: SpoolClient, _ path: StreamPath) async throws -> [Int] {
        try await client.read(path, limit: 10_000).filter { $0.type == "demo/pong" }.compactMap { $0.payload["ping"]?.intValue }.map(Int.init)
    }

    /// The processors running on the node `client` talks to.
    private func processorNames(_ client: SpoolClient) async throws -> [String] {
        try await client.send(.GET, "/processors").arrayValue?.filter { $0["runsHere"] == true }.compactMap { $0["name"]?.stringValue } ?? []
    }

    /// The workers the node `client` talks to knows of, running there or not.
    private func workerNames(_ client: SpoolClient) async throws -> [String] {
        try await client.send(.GET, "/processors").arrayValue?.compactMap { $0["name"]?.stringValue }.filter { $0.hasPrefix("worker:") } ?? []
    }

    /// `kill -9` of the node running the workers: the other node takes the `workers` processor
    /// over and starts the workers it had been running, which answer again.
    @Test func workersFollowTheirProcessorToAnotherNode() async throws {
        try await PostgresTestDatabase.with { database in
            try await SpoolNodes.with(2, postgresURL: database.url) { nodes in
                let path = try StreamPath("/workers/cluster/takeover")
                let first = SpoolClient(baseURL: nodes[0].baseURL)
                let second = SpoolClient(baseURL: nodes[1].baseURL)
                try await deploy(first, path)
                let before = try await ping(first, path)
                #expect(try await eventually(timeout: .seconds(30)) { try await pongs(second, path).contains(before) })
                // The `workers` processor's checkpoint passes the configuration: a takeover does not replay it.
                try await Task.sleep(for: .seconds(2))

                await nodes[0].kill()
                let after = try await ping(second, path)
                #expect(
                    try await eventually(timeout: .seconds(60), every: .milliseconds(250)) { try await pongs(second, path).contains(after) },
                    "the worker does not answer after its node was killed")
                let answered = try await pongs(second, path)
                #expect(answered.count == Set(answered).count, "a ping answered twice")
            }
        }
    }

    /// A node that started while a worker was configured must not run it once it is removed,
    /// not even after taking over from the node that removed it.
    @Test func aRemovedWorkerStaysRemovedOnEveryNode() async throws {
        try await PostgresTestDatabase.with { database in
            let path = try StreamPath("/workers/cluster/removed")
            let first = try await SpoolNodes.start(postgresURL: database.url)
            defer { first.stop() }
            let firstClient = SpoolClient(baseURL: first.baseURL)
            try await deploy(firstClient, path)
            let early = try await ping(firstClient, path)
            #expect(try await eventually(timeout: .seconds(30)) { try await pongs(firstClient, path).contains(early) })
            try await Task.sleep(for: .seconds(2))  // the configuration is in the `workers` processor's snapshots

            // Started now, the second node could start the worker from the snapshots; it must not.
            let second = try await SpoolNodes.start(postgresURL: database.url)
            defer { second.stop() }
            let secondClient = SpoolClient(baseURL: second.baseURL)
            try await Task.sleep(for: .seconds(2))
            #expect(try await workerNames(secondClient).isEmpty, "a node that does not run `workers` runs no worker")
            let removal = try await secondClient.append(AppendInput(type: "spool/worker-removed", payload: ["name": "ponger"]), to: path)
            try await Task.sleep(for: .seconds(1))
            await first.terminate()  // the second node takes every processor over
            for _ in 0..<3 {
                _ = try await ping(secondClient, path)
                try await Task.sleep(for: .seconds(1))
            }
            try await Task.sleep(for: .seconds(3))
            let late = try await pongs(secondClient, path).filter { $0 > removal.offset }
            #expect(late.isEmpty, "pings after the removal were answered: \(late)")
            #expect(try await eventually(timeout: .seconds(30)) { try await processorNames(secondClient).contains("workers") })
            #expect(try await workerNames(secondClient).isEmpty, "the removed worker came back with the takeover")
            await second.terminate()
        }
    }
}
