import Logging
import SpoolPostgres
import SpoolStore
import SpoolTesting
import Synchronization
import Testing

/// What a node logs while its database is away: no PostgreSQL server is needed for that.
@Suite(.timeLimit(.minutes(1)))
struct PostgresLoggingTests {
    /// Log records, kept in memory.
    final class Records: Sendable {
        let entries = Mutex<[Record]>([])
    }

    struct CapturingHandler: LogHandler {
        let records: Records
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            records.entries.withLock { $0.append((event.level, event.message.description, event.source)) }
        }
    }

    typealias Record = (level: Logger.Level, message: String, source: String)

    /// Runs a store against a port nobody listens on until `done` holds for what it logged
    /// (at most 30 s, however loaded the machine), then `extra` longer; returns what it logged.
    func logsWhileTheDatabaseIsAway(
        at level: Logger.Level, until done: @escaping @Sendable ([Record]) -> Bool, thenFor extra: Duration = .zero
    ) async throws -> [Record] {
        let records = Records()
        var logger = Logger(label: "spool") { _ in CapturingHandler(records: records) }
        logger.logLevel = level
        var configuration = try PostgresStoreConfiguration(url: "postgres://spool@127.0.0.1:1/none")
        configuration.requestTimeout = .milliseconds(300)
        let store = PostgresEventStore(configuration: configuration, logger: logger)
        let task = Task { _ = try? await store.run() }
        let finished = await eventually(timeout: .seconds(30)) { done(records.entries.withLock { $0 }) }
        #expect(finished, "the store did not log what was expected")
        try? await Task.sleep(for: extra)
        task.cancel()
        _ = await task.result
        return records.entries.withLock { $0 }
    }

    @Test func anOutageIsReportedWithoutALineForEveryConnectionAttempt() async throws {
        // Once the outage is reported, a connection attempt has failed; attempts go on every 250 ms.
        let records = try await logsWhileTheDatabaseIsAway(
            at: .info, until: { $0.contains { $0.level == .warning && $0.source == "SpoolPostgres" } }, thenFor: .seconds(1))
        let fromThePool = records.filter { $0.source != "SpoolPostgres" }
        #expect(fromThePool.isEmpty, "the connection pool logged \(fromThePool.count) lines: \(fromThePool.prefix(3))")
    }

    @Test func atDebugLevelThePoolsConnectionAttemptsShow() async throws {
        let records = try await logsWhileTheDatabaseIsAway(
            at: .debug, until: { $0.contains { $0.message == "Connection creation failed" } })
        #expect(records.contains { $0.message == "Connection creation failed" })
    }
}
