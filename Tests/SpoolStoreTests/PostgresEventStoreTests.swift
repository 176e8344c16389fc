import PostgresNIO
import SpoolCore
import SpoolPostgres
import SpoolStore
import SpoolTesting
import Testing

/// What only the PostgreSQL store does: several nodes on one database.
/// Each test gets a fresh database on the cluster `scripts/with-postgres.sh` started.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled), .timeLimit(.minutes(2)))
struct PostgresEventStoreTests {
    /// Runs `body` with `count` stores ("nodes") on one fresh database.
    private func withNodes(_ count: Int, _ body: (PostgresTestDatabase, [PostgresEventStore]) async throws -> Void) async throws {
        try await PostgresTestDatabase.with { database in
            let running = RunningStores()
            do {
                var nodes: [PostgresEventStore] = []
                for _ in 0..<count { nodes.append(try await running.open(url: database.url, live: LiveHub())) }
                try await body(database, nodes)
                await running.closeAll()
            } catch {
                await running.closeAll()
                throw error
            }
        }
    }

    /// The failure a naive sequence column allows: a reader polling the feed sees
    /// position N+1 committed before N and skips N. Three nodes append
    /// concurrently (single events and batches, 16 writers each) while a reader
    /// polls the feed on a fourth; every position it sees must be the next one.
    @Test func feedReaderNeverSkipsAPositionUnderConcurrentAppendsFromSeveralNodes() async throws {
        try await withNodes(4) { _, nodes in
            let writers = nodes.prefix(3)
            let reader = nodes[3]
            let writersPerNode = 16, appendsPerWriter = 25, batchSize = 3
            // Every fourth append of a writer is a batch.
            let total = writers.count * writersPerNode * (appendsPerWriter + (appendsPerWriter / 4) * (batchSize - 1))
            let streams = try (0..<5).map { try StreamPath("/hammer/s\($0)") }
            let seen = try await withTimeLimit(.seconds(90)) {
                try await withThrowingTaskGroup(of: [Int]?.self) { group in
                    group.addTask {
                        var positions: [Int] = []
                        var cursor = 0
                        while positions.count < total {
                            let page = try await reader.readFeed(prefix: .root, after: cursor, limit: 500)
                            for event in page {
                                if event.position != cursor + 1 {
                                    Issue.record("after position \(cursor) the feed returned \(event.position)")
                                }
                                cursor = event.position
                                positions.append(event.position)
                            }
                            if page.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
                        }
                        return positions
                    }
                    for (nodeIndex, node) in writers.enumerated() {
                        for writer in 0..<writersPerNode {
                            group.addTask {
                                for n in 0..<appendsPerWriter {
                                    let path = streams[(nodeIndex + writer + n) % streams.count]
                                    let extra: JSONObject = ["node": .int(Int64(nodeIndex)), "writer": .int(Int64(writer))]
                                    if n % 4 == 3 {
                                        _ = try await node.append(notes(1...batchSize, extra: extra), to: path)
                                    } else {
                                        try await node.append(note(n, extra: extra), to: path)
                                    }
                                }
                                return nil
                            }
                        }
                    }
                    var seen: [Int] = []
                    for try await result in group { if let result { seen = result } }
                    return seen
                }
            }
            expectSequence(seen, equals: Array(1...total), "positions")
            var stored = 0
            for path in streams {
                let events = try await reader.read(path, after: 0, limit: 10_000)
                expectSequence(events.map(\.offset), equals: events.indices.map { $0 + 1 }, "offsets of \(path)")
                stored += events.count
            }
            #expect(stored == total)
        }
    }

    /// Small commits reach other nodes inside their notification; a commit too large
    /// for one is read back from the database. Either way another node publishes
    /// every event once, in order, byte for byte as stored. (Its hub is watched
    /// directly: a live tail would read history from the database and hide the notices.)
    @Test func otherNodesGetCommitsFromTheirNoticeOrByReadingThem() async throws {
        try await withNodes(2) { _, nodes in
            let path = try StreamPath("/noticed")
            let large: JSONObject = ["data": .string(String(repeating: "x", count: 10_000))]
            let published = nodes[1].live.subscribe(toPrefix: .root)
            var appended: [Event] = []
            appended += try await nodes[0].append(notes(1...3), to: path).events
            appended += try await nodes[0].append(notes(4...5, extra: large), to: path).events
            appended += try await nodes[0].append([note(6, key: "k", extra: ["text": "ünïcode \"quoted\"\nline"])], to: path).events
            let expected = appended
            let received = try await withTimeLimit(.seconds(20)) {
                var received: [Event] = []
                while received.count < expected.count {
                    guard case .events(let events) = await published.next() else { continue }
                    received += events
                }
                return received
            }
            #expect(received.map(\.position) == Array(1...6))
            #expect(received.elementsEqual(appended), "what the other node published differs from what was stored")
        }
    }

    /// Appends are planned from stream rows read without a lock, then applied by
    /// `spool_append_planned`, which must refuse a plan whose streams moved since:
    /// an existing stream no longer at the planned head, or a "new" stream that
    /// another node created meanwhile. Refused, it writes nothing at all.
    @Test func aPlanFromStreamsThatMovedWritesNothing() async throws {
        try await withNodes(1) { database, nodes in
            let store = nodes[0]
            let path = try StreamPath("/planned")
            try await store.append(note(1), to: path)

            // (stream existed?, head the plan saw) for a stream now at head 1.
            for (existed, staleHead) in [(true, 0), (true, 2), (false, 0)] {
                let error = await psqlError {
                    try await database.withConnection { connection, logger in
                        try await connection.run(
                            """
                            SELECT spool_append_planned(
                                \([path.rawValue]), \([existed]), \([staleHead]), \([staleHead + 1]), \([false]), \([false]),
                                \([Int32(1)]), \([staleHead + 1]), \(["note"]), \(["{}"]), \([""]), \([""]), 0, 'spool_events', '')
                            """, logger: logger)
                    }
                }
                #expect(error?.serverInfo?[.sqlState] == "40001", "existed: \(existed), head: \(staleHead)")
            }
            #expect(try await store.headPosition() == 1)
            #expect(try await store.read(path, after: 0, limit: 10).map(\.offset) == [1])
            #expect(try await store.headOffset(of: path) == 1)

            // The same call from the current head goes through.
            try await database.withConnection { connection, logger in
                try await connection.run(
                    """
                    SELECT spool_append_planned(
                        \([path.rawValue]), \([true]), \([1]), \([2]), \([false]), \([false]),
                        \([Int32(1)]), \([2]), \(["note"]), \(["{}"]), \([""]), \([""]), 0, 'spool_events', '')
                    """, logger: logger)
            }
            #expect(try await store.read(path, after: 0, limit: 10).map(\.position) == [1, 2])
        }
    }

    /// A node remembers the streams it appended to and plans its next batch from
    /// that; another node's appends make the memory stale, which must cost nothing
    /// but a second try: no refused append, no offset given twice.
    @Test func appendsAfterAnotherNodesAppendsAreNeitherRefusedNorMisplaced() async throws {
        try await withNodes(2) { _, nodes in
            let (a, b) = (nodes[0], nodes[1])
            let path = try StreamPath("/remembered")
            try await a.append(note(1), to: path)
            try await a.append(note(2), to: path)  // a now remembers head 2
            try await b.append(note(3), to: path)  // head 3, behind a's back
            // Planned from head 2, this would be offset 3 again: it must land at 4.
            #expect(try await a.append([note(4)], to: path).events.map(\.offset) == [4])
            try await b.append(note(5), to: path)
            // From a's memory (head 4) this expectation fails; from the rows (head 5) it holds.
            #expect(try await a.append([note(6, expectedOffset: 5)], to: path).events.map(\.offset) == [6])
            let stored = try await b.read(path, after: 0, limit: 10)
            #expect(stored.map(\.offset) == [1, 2, 3, 4, 5, 6])
            #expect(stored.map(\.payload["n"]) == (1...6).map { .int(Int64($0)) })
        }
    }

    private func psqlError(_ body: () async throws -> Void) async -> PSQLError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? PSQLError
        }
    }

    /// An append on one node reaches live feed tails on every node, once and in order.
    @Test func liveTailsOnEveryNodeSeeEveryNodesAppendsOnceInOrder() async throws {
        try await withNodes(3) { _, nodes in
            let perNode = 60
            let total = perNode * nodes.count
            try await withTimeLimit(.seconds(60)) {
                try await withThrowingTaskGroup(of: [Int].self) { group in
                    for node in nodes {
                        var tail = node.tailFeed(prefix: try StreamPrefix("/live")).makeAsyncIterator()
                        group.addTask { try await tail.nextEvents(count: total).map(\.position) }
                    }
                    try await Task.sleep(for: .milliseconds(100))
                    try await withThrowingTaskGroup(of: Void.self) { writers in
                        for (index, node) in nodes.enumerated() {
                            writers.addTask {
                                for n in 1...perNode { try await node.append(note(n), to: StreamPath("/live/node\(index)")) }
                            }
                        }
                        try await writers.waitForAll()
                    }
                    for try await positions in group {
                        expectSequence(positions, equals: Array(1...total), "positions seen live")
                    }
                }
            }
        }
    }

    /// Nodes starting together on an empty database migrate it once.
    @Test func nodesStartingTogetherMigrateOnce() async throws {
        try await PostgresTestDatabase.with { database in
            let running = RunningStores()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try await running.open(url: database.url, live: LiveHub()) } }
                try await group.waitForAll()
            }
            await running.closeAll()
            let store = try await running.open(url: database.url, live: LiveHub())
            try await store.append(note(1), to: StreamPath("/after-migration"))
            #expect(try await store.headPosition() == 1)
            await running.closeAll()
        }
    }

    /// An append whose commit waits on a lock past the request timeout is 503, and says what is
    /// true: the database is reachable but slow, and the append may still land, so the client
    /// sends it again with its key. Once the lock goes, that retry finds it stored at most once.
    @Test func anAppendStuckBehindALockSaysItMayStillLand() async throws {
        try await PostgresTestDatabase.with { database in
            let running = RunningStores()
            let store = try await running.open(url: database.url, live: LiveHub())
            // A second node that gives up soon: only its append meets the lock.
            let impatient = try await running.open(url: database.url, live: LiveHub()) { $0.requestTimeout = .milliseconds(500) }
            let path = try StreamPath("/locked")
            try await store.append(note(0), to: path)
            try await database.withConnection { connection, logger in
                try await connection.query("BEGIN", logger: logger)
                try await connection.query("LOCK TABLE spool_events IN EXCLUSIVE MODE", logger: logger)
                let error = await spoolError { try await impatient.append(note(1, key: "k-1"), to: path) }
                #expect(error?.code == .unavailable)
                let message = error?.message ?? ""
                #expect(message.contains("did not answer within") && !message.contains("unreachable"), "\(message)")
                #expect(message.contains("may still be stored") && message.contains("idempotencyKey"), "\(message)")
                try await connection.query("COMMIT", logger: logger)
            }
            let retried = try await store.append(note(1, key: "k-1"), to: path)
            #expect(retried.offset == 2)
            #expect(try await store.read(path, after: 0, limit: 10).map(\.offset) == [1, 2])
            await running.closeAll()
        }
    }

    @Test func unreachableDatabaseIsUnavailable() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://spool@127.0.0.1:1/none")
        configuration.requestTimeout = .milliseconds(300)
        let store = PostgresEventStore(configuration: configuration, logger: StoreBackend.logger)
        let task = Task { _ = try? await store.run() }
        defer { task.cancel() }
        let error = await spoolError { try await store.checkHealth() }
        #expect(error?.code == .unavailable)
        let appendError = await spoolError { try await store.append(note(1), to: StreamPath("/x")) }
        #expect(appendError?.code == .unavailable)
    }

    @Test func configurationParsesURLs() throws {
        let configuration = try PostgresStoreConfiguration(url: "postgres://ada:s%40cret@db.example:6543/spool?sslmode=require&pool_size=7")
        #expect(configuration.client.host == "db.example")
        #expect(configuration.client.port == 6543)
        #expect(configuration.client.username == "ada")
        #expect(configuration.client.password == "s@cret")
        #expect(configuration.client.database == "spool")
        #expect(configuration.client.options.maximumConnections == 7)
        #expect(PostgresStoreConfiguration.redacted("postgres://ada:secret@h/db") == "postgres://ada:***@h/db")
        #expect(throws: SpoolError.self) { try PostgresStoreConfiguration(url: "mysql://h/db") }
        #expect(throws: SpoolError.self) { try PostgresStoreConfiguration(url: "postgres://h/db?sslmode=bogus") }
    }
}
