import Logging
import SpoolPostgres
import SpoolStore
import Synchronization
import Testing

/// What a node logs while its database is away: no PostgreSQL server is needed for that.
@Suite(.timeLimit(.minutes(1)))
struct PostgresLoggingTests {
    /// Log records, kept in memory.
    final class Records: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String, source: String)]>([])
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

    /// Runs a store against a port nobody listens on for `duration`; returns what it logged.
    func logsWhileTheDatabaseIsAway(at level: Logger.Level, for duration: Duration) async throws -> [(level: Logger.Level, message: String, source: String)] {
        let records = Records()
        var logger = Logger(label: "spool") { _ in CapturingHandler(records: records) }
        logger.logLevel = level
        var configuration = try PostgresStoreConfiguration(url: "postgres://spool@127.0.0.1:1/none")
        configuration.requestTimeout = .milliseconds(300)
        let store = PostgresEventStore(configuration: configuration, logger: logger)
        let task = Task { _ = try? await store.run() }
        try await Task.sleep(for: duration)
        task.cancel()
        _ = await task.result
        return records.entries.withLock { $0 }
    }

    @Test func anOutageIsReportedWithoutALineForEveryConnectionAttempt() async throws {
        let records = try await logsWhileTheDatabaseIsAway(at: .info, for: .seconds(2))
        #expect(records.contains { $0.level == .warning && $0.source == "SpoolPostgres" }, "the outage is reported")
        let fromThePool = records.filter { $0.source != "SpoolPostgres" }
        #expect(fromThePool.isEmpty, "the connection pool logged \(fromThePool.count) lines: \(fromThePool.prefix(3))")
    }

    @Test func atDebugLevelThePoolsConnectionAttemptsShow() async throws {
        let records = try await logsWhileTheDatabaseIsAway(at: .debug, for: .seconds(1))
        #expect(records.contains { $0.message == "Connection creation failed" })
    }
}
