import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolClient
import SpoolCore
import SpoolTesting
import Synchronization
import Testing

/// A real PostgreSQL restart (`pg_ctl stop -m fast`, then `start` on the same port
/// and data) under two running `spool serve --postgres` nodes. The server is the
/// test's own (`PostgresTestCluster`): restarting the shared one would disturb
/// other suites.
@Suite(.enabled(if: PostgresTestCluster.isEnabled), .timeLimit(.minutes(4)))
struct PostgresRestartTests {
    @Test func nodesRecoverFromARealDatabaseRestart() async throws {
        try await PostgresTestCluster.with { cluster in
            try await SpoolNodes.with(2, postgresURL: cluster.url) { nodes in
                let path = try StreamPath("/restart/notes")
                let load = try StreamPath("/restart/load")
                let clients = nodes.map { SpoolClient(baseURL: $0.baseURL) }
                var acknowledged: [Int] = []
                func append(_ n: Int) async throws {
                    try await clients[n % 2].append(AppendInput(type: "test/note", payload: ["n": .int(Int64(n))]), to: path)
                    acknowledged.append(n)
                }
                for n in 1...10 { try await append(n) }

                let subscriber = LiveConnection(url: nodes[0].baseURL + "/streams" + path.rawValue + "?live=true")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await subscriber.read(until: 20) }
                    #expect(await eventually(timeout: .seconds(30)) { subscriber.events.count == 10 })

                    // Processors are busy with a backlog when the database goes away.
                    for _ in 1...5 {
                        try await clients[0].append((1...1000).map { _ in try AppendInput(type: "test/load") }, to: load)
                    }
                    #expect(try await SpoolNodes.metrics(nodes[0]).code == 200)
                    try await cluster.stop()
                    for client in clients {
                        #expect(
                            await eventually(timeout: .seconds(30)) { (try? await SpoolNodes.healthStatus(client).code) == 503 },
                            "health while the database is down")
                        let status = try await SpoolNodes.healthStatus(client)
                        #expect(status.body.contains("unavailable"), "health while the database is down: \(status)")
                    }
                    let metrics = try await SpoolNodes.metrics(nodes[0])
                    #expect(metrics.code == 200, "metrics while the database is down")
                    // The store's and processors' series as last scraped; the rest as ever.
                    #expect(metrics.body.contains("spool_processor_lag_events{processor=\"circuit-breaker\"}"), "\(metrics.body)")
                    do {
                        try await clients[0].append(AppendInput(type: "test/note", payload: ["n": 999]), to: path)
                        Issue.record("an append succeeded while the database was down")
                    } catch let error as SpoolError {
                        #expect(error.code == .unavailable)
                    }

                    try await cluster.start()
                    for client in clients {
                        #expect(
                            await eventually(timeout: .seconds(60)) { (try? await SpoolNodes.healthStatus(client).code) == 200 },
                            "a node did not recover from the restart")
                    }
                    for n in 11...20 { try await append(n) }
                    for client in clients {
                        let stored = try await client.read(path).compactMap { $0.payload["n"]?.intValue }.map(Int.init)
                        #expect(stored == acknowledged, "every acknowledged event once, in order")
                    }

                    // The subscriber opened before the restart keeps receiving on the same connection.
                    let received = await eventually(timeout: .seconds(30)) { subscriber.events.count == 20 || subscriber.hasEnded }
                    #expect(received && !subscriber.hasEnded, "the live subscriber stalled or its connection ended")
                    group.cancelAll()
                }
                #expect(
                    try await eventually(timeout: .seconds(90), every: .milliseconds(500)) { try await processorsSettled(clients) },
                    "after the restart, every processor runs on exactly one node and catches up")
                #expect(subscriber.events.map(\.offset) == Array(1...20))
                #expect(subscriber.events.compactMap { $0.payload["n"]?.intValue }.map(Int.init) == acknowledged)
                // The metrics say the same: each processor runs here on exactly one of the two nodes.
                var runsHere: [String: Int] = [:]
                for node in nodes {
                    for line in try await SpoolNodes.metrics(node).body.split(separator: "\n")
                    where line.hasPrefix("spool_processor_runs_here{") {
                        let name = line.split(separator: "\"")[1]
                        runsHere[String(name), default: 0] += line.hasSuffix(" 1.0") ? 1 : 0
                    }
                }
                #expect(!runsHere.isEmpty && runsHere.values.allSatisfy { $0 == 1 }, "\(runsHere)")
            }
        }
    }
}

/// Whether every processor runs on exactly one of the nodes, and has handled every event there.
private func processorsSettled(_ clients: [SpoolClient]) async throws -> Bool {
    var names: Set<String> = []
    var running: [String: [JSONValue]] = [:]
    for client in clients {
        for status in try await client.send(.GET, "/processors").arrayValue ?? [] {
            guard let name = status["name"]?.stringValue else { continue }
            names.insert(name)
            if status["runsHere"]?.boolValue == true { running[name, default: []].append(status) }
        }
    }
    return !names.isEmpty && names.allSatisfy { name in
        running[name]?.count == 1 && running[name]?.first?["lag"]?.intValue == 0
    }
}

/// One SSE connection, read raw (no reconnecting, unlike `SpoolClient.tail`), so
/// a test sees whether the server keeps it open.
private final class LiveConnection: Sendable {
    let url: String
    private let state = Mutex<(events: [Event], ended: Bool)>(([], false))

    init(url: String) {
        self.url = url
    }

    var events: [Event] { state.withLock { $0.events } }
    /// Whether the server ended the connection (or it failed).
    var hasEnded: Bool { state.withLock { $0.ended } }

    /// Reads events until `count` have arrived, the connection ends, or the task is cancelled.
    func read(until count: Int) async throws {
        defer { state.withLock { $0.ended = $0.events.count < count } }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await HTTPClient.shared.execute(request, timeout: .minutes(10))
        guard response.status == .ok else { return }
        var decoder = SSEDecoder()
        for try await chunk in response.body {
            let fresh = try decoder.feed(chunk.readableBytesView).map { try Event(json: try JSONValue.parse($0.data)) }
            let total = state.withLock { state in
                state.events += fresh
                return state.events.count
            }
            if total >= count { return }
        }
    }
}
