import PostgresNIO
import SpoolCore
@testable import SpoolPostgres
import SpoolStore
import SpoolTesting
import Testing

/// The store's sessions commit durably and read committed, whatever the database's defaults.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled), .timeLimit(.minutes(2)))
struct PostgresSessionSettingsTests {
    @Test func sessionsIgnoreLaxOrStricterDatabaseDefaults() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withConnection { connection, logger in
                let name = database.name
                try await connection.query(PostgresQuery(unsafeSQL: #"ALTER DATABASE "\#(name)" SET synchronous_commit = off"#), logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: #"ALTER DATABASE "\#(name)" SET default_transaction_isolation = 'repeatable read'"#), logger: logger)
            }
            let running = RunningStores()
            let store = try await running.open(url: database.url, live: LiveHub())
            for (setting, expected) in [("synchronous_commit", "on"), ("transaction_isolation", "read committed")] {
                let rows = try await store.rows(PostgresQuery(unsafeSQL: "SHOW \(setting)"))
                #expect(try rows.first?.decode(String.self) == expected, "\(setting)")
            }
            // Concurrent appends to one stream all land, which REPEATABLE READ would refuse.
            let path = try StreamPath("/contended")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<16 {
                    group.addTask { _ = try await store.append([AppendInput(type: "test/n", payload: ["n": .int(Int64(writer))])], to: path) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.headOffset(of: path) == 16)
            await running.closeAll()
        }
    }
}
