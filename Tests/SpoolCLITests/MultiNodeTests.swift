import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// Several real `spool serve --postgres` nodes on one fresh database; one test
/// at a time, since each starts several servers.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled), .serialized, .timeLimit(.minutes(3)))
struct MultiNodeTests {
    private func withNodes(
        _ count: Int, extraArguments: [String] = [], environment: [String: String] = [:],
        _ body: (PostgresTestDatabase, [SpoolProcess]) async throws -> Void
    ) async throws {
        try await PostgresTestDatabase.with { database in
            try await SpoolNodes.with(count, postgresURL: database.url, extraArguments: extraArguments, environment: environment) {
                try await body(database, $0)
            }
        }
    }

    /// Concurrent appends to the same streams through three nodes; an SSE tail
    /// and a feed on every node see every event exactly once, in order.
    @Test func threeNodesServeTheSameStreamsLive() async throws {
        try await withNodes(3) { _, nodes in
            let streams = try ["/multi/a", "/multi/b"].map(StreamPath.init)
            let perNodeAndStream = 40
            let perStream = perNodeAndStream * nodes.count
            let clients = nodes.map { SpoolClient(baseURL: $0.baseURL) }
            try await withThrowingTaskGroup(of: (String, [Int]).self) { group in
                for (index, client) in clients.enumerated() {
                    for path in streams {
                        group.addTask {
                            var offsets: [Int] = []
                            for try await event in client.tail(path) {
                                offsets.append(event.offset)
                                if offsets.count == perStream { break }
                            }
                            return ("tail of \(path) on node \(index)", offsets)
                        }
                    }
                    group.addTask {
                        var positions: [Int] = []
                        for try await event in client.feed(prefix: "/multi") {
                            positions.append(event.position)
                            if positions.count == perStream * streams.count { break }
                        }
                        return ("feed on node \(index)", positions)
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for (index, client) in clients.enumerated() {
                        for path in streams {
                            writers.addTask {
                                for n in 1...perNodeAndStream {
                                    try await client.append(
                                        AppendInput(type: "test/note", payload: ["node": .int(Int64(index)), "n": .int(Int64(n))]),
                                        to: path)
                                }
                            }
                        }
                    }
                    try await writers.waitForAll()
                }
                var results: [(String, [Int])] = []
                for try await result in group { results.append(result) }
                for (reader, numbers) in results {
                    let expected = Array(1...(reader.hasPrefix("feed") ? perStream * streams.count : perStream))
                    #expect(numbers == expected, "\(reader) saw \(numbers.count) events, not each once in order")
                }
            }
        }
    }

    /// `GET /processors` on any node tells how far each processor is, also where it runs
    /// on another node: there its progress is what that node saved, not a stale copy.
    @Test func everyNodeReportsEveryProcessorsProgress() async throws {
        try await withNodes(2) { _, nodes in
            let clients = nodes.map { SpoolClient(baseURL: $0.baseURL) }
            try await clients[0].append(
                (1...50).map { try AppendInput(type: "test/note", payload: ["n": .int(Int64($0))]) }, to: StreamPath("/progress"))
            var ranElsewhere = false
            for (index, client) in clients.enumerated() {
                let caughtUp = try await eventually(timeout: .seconds(30)) {
                    let statuses = try await client.send(.GET, "/processors").arrayValue ?? []
                    return !statuses.isEmpty && statuses.allSatisfy { $0["lag"]?.intValue == 0 && $0["checkpoint"]?.intValue ?? 0 >= 50 }
                }
                #expect(caughtUp, "node \(index) reports every processor caught up")
                let statuses = try await client.send(.GET, "/processors").arrayValue ?? []
                ranElsewhere = ranElsewhere || statuses.contains { $0["runsHere"]?.boolValue == false }
            }
            #expect(ranElsewhere, "some processor ran on the other node")
        }
    }

    /// `kill -9` of the node running the processors: another node takes over within
    /// the lease time, and every ping gets exactly one pong.
    @Test func anotherNodeTakesOverTheProcessorsOfAKilledNode() async throws {
        try await withNodes(2, extraArguments: ["--demo"]) { _, nodes in
            let path = try StreamPath("/demo/takeover")
            let pings = 600
            // The first node started first, so it holds the processors' leases.
            let first = SpoolClient(baseURL: nodes[0].baseURL)
            let second = SpoolClient(baseURL: nodes[1].baseURL)
            for batch in 0..<(pings / 100) {
                try await first.append(
                    (0..<100).map { try AppendInput(type: "demo/ping", payload: ["n": .int(Int64(batch * 100 + $0))]) },
                    to: path)
            }
            func all() async throws -> [Event] {
                var events: [Event] = []
                while true {
                    let page = try await second.read(path, after: events.last?.offset ?? 0, limit: 10_000)
                    events += page
                    if page.count < 10_000 { return events }
                }
            }
            #expect(try await eventually(timeout: .seconds(30)) { try await all().contains { $0.type == "demo/pong" } })
            await nodes[0].kill()
            for n in pings..<(pings + 100) { try await second.append(AppendInput(type: "demo/ping", payload: ["n": .int(Int64(n))]), to: path) }
            let total = pings + 100
            #expect(try await eventually(timeout: .seconds(60)) { try await all().filter { $0.type == "demo/pong" }.count >= total })
            try await Task.sleep(for: .milliseconds(500))
            let events = try await all()
            let answered = events.filter { $0.type == "demo/pong" }.compactMap { $0.payload["pingOffset"]?.intValue }
            let pingOffsets = events.filter { $0.type == "demo/ping" }.map { Int64($0.offset) }
            #expect(answered.count == total, "exactly one pong per ping, none twice")
            #expect(Set(answered) == Set(pingOffsets))
        }
    }

    /// `kill -9` of the node running an agent mid-turn (its tool call waiting): the other
    /// node finishes the turn; the tool runs once and nothing is appended twice or lost.
    @Test func anotherNodeFinishesTheTurnOfAKilledNode() async throws {
        try await withNodes(2, environment: ["OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]) { _, nodes in
            let path = try StreamPath("/agents/takeover")
            // The first node started first, so it holds the processors' leases.
            let first = SpoolClient(baseURL: nodes[0].baseURL, httpClient: failFastHTTPClient)
            let second = SpoolClient(baseURL: nodes[1].baseURL)
            try await first.append(AppendInput(type: "agent/configured", payload: ["tools": ["wait"]]), to: path)
            try await first.append(AppendInput(type: "agent/input-added", payload: ["content": #"/tool wait {"seconds":2}"#]), to: path)
            #expect(try await eventually(timeout: .seconds(30)) {
                try await second.read(path).contains { $0.type == "spool/append-scheduled" }
            })
            await nodes[0].kill()

            func finalAnswers() async throws -> [Event] {
                try await second.read(path, limit: 10_000).filter {
                    $0.type == "llm/response-completed" && ($0.payload["toolCalls"]?.arrayValue?.isEmpty ?? true)
                }
            }
            #expect(try await eventually(timeout: .seconds(60)) { try await finalAnswers().count == 1 })
            try await Task.sleep(for: .seconds(1))
            let events = try await second.read(path, limit: 10_000)
            #expect(events.filter { $0.type == "spool/append-scheduled" }.count == 1, "the wait tool ran once")
            #expect(events.filter { $0.type == "tool/call-completed" }.count == 1)
            #expect(try await finalAnswers().count == 1)
            #expect(try await finalAnswers().first?.payload["content"] == "Tool wait returned: waited 2.0 seconds")
            let requests = events.filter { $0.type == "llm/request-started" }.compactMap { $0.payload["requestId"]?.stringValue }
            #expect(requests.count == Set(requests).count, "no request started twice")
        }
    }

    /// A node starting while another node's agent streams a reply leaves the turn alone:
    /// only the node running the `agent` processor resumes turns, so the reply is not
    /// cancelled as "server restarted" and asked for again.
    @Test func aNodeStartingMidTurnLeavesTheTurnToTheNodeRunningTheAgent() async throws {
        let slow = FakeLLMReply.text(String(repeating: "slow ", count: 60), chunks: 60, delay: .milliseconds(100))
        try await FakeLLMServer.with(replies: [slow, .text("Asked twice.")]) { llm in
            try await withNodes(1, environment: llm.environment()) { database, nodes in
                let path = try StreamPath("/agents/late-node")
                let client = SpoolClient(baseURL: nodes[0].baseURL)
                try await client.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                try await client.append(AppendInput(type: "agent/input-added", payload: ["content": "long answer please"]), to: path)
                #expect(try await eventually(timeout: .seconds(30)) { try await client.read(path).contains { $0.type == "llm/output-delta" } })

                let late = try await SpoolNodes.start(postgresURL: database.url, environment: llm.environment())
                defer { late.stop() }
                #expect(try await eventually(timeout: .seconds(30)) {
                    try await client.read(path, limit: 10_000).contains { $0.type == "llm/response-completed" }
                })
                try await Task.sleep(for: .seconds(1))  // room for a wrong second request to show
                let events = try await SpoolClient(baseURL: late.baseURL).read(path, limit: 10_000)
                #expect(!events.contains { $0.type == "llm/request-cancelled" }, "the turn was not cancelled")
                let completed = events.filter { $0.type == "llm/response-completed" }
                #expect(completed.map { $0.payload["requestId"] } == ["req-1"])
                let requests = events.filter { $0.type == "llm/request-started" }.compactMap { $0.payload["requestId"]?.stringValue }
                #expect(requests == ["req-1"], "one request, started once")
                #expect(llm.requestCount == 1)
                await late.terminate()
            }
        }
    }

    /// The database goes away while nodes run: health and appends answer 503, and
    /// both recover by themselves when it is back, with nothing acknowledged lost.
    @Test func nodesAnswer503WhileTheDatabaseIsAwayAndRecover() async throws {
        try await withNodes(2) { database, nodes in
            let path = try StreamPath("/outage")
            let clients = nodes.map { SpoolClient(baseURL: $0.baseURL) }
            var acknowledged: [Int] = []
            for n in 1...10 {
                try await clients[n % 2].append(AppendInput(type: "test/note", payload: ["n": .int(Int64(n))]), to: path)
                acknowledged.append(n)
            }
            try await database.setReachable(false)
            for client in clients {
                let status = try await SpoolNodes.healthStatus(client)
                #expect(status.code == 503, "health during the outage: \(status)")
                #expect(status.body.contains("unavailable") && status.body.contains("database"))
            }
            do {
                try await clients[0].append(AppendInput(type: "test/note", payload: ["n": 999]), to: path)
                Issue.record("an append succeeded while the database was away")
            } catch let error as SpoolError {
                #expect(error.code == .unavailable)
            }
            try await database.setReachable(true)
            for client in clients {
                #expect(await eventually(timeout: .seconds(20)) { (try? await SpoolNodes.healthStatus(client).code) == 200 })
            }
            for n in 11...20 {
                try await clients[n % 2].append(AppendInput(type: "test/note", payload: ["n": .int(Int64(n))]), to: path)
                acknowledged.append(n)
            }
            for client in clients {
                let stored = try await client.read(path).compactMap { $0.payload["n"]?.intValue }.map(Int.init)
                #expect(stored == acknowledged)
            }
        }
    }
}
