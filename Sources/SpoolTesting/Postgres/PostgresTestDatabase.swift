import Foundation
import Logging
import PostgresNIO
import SpoolCore
import SpoolPostgres

/// A fresh, empty PostgreSQL database for one test, created on the cluster that
/// `scripts/with-postgres.sh` started (`SPOOL_TEST_POSTGRES_URL`) and dropped afterwards.
///
/// ```swift
/// try await PostgresTestDatabase.with { database in
///     let store = try PostgresEventStore(url: database.url, logger: logger)
/// }
/// ```
public struct PostgresTestDatabase: Sendable {
    /// Names the server URL of a cluster tests may create databases on.
    public static let urlVariable = "SPOOL_TEST_POSTGRES_URL"
    /// Set (by `make test`) to fail, rather than leave out, PostgreSQL tests without a server.
    public static let requiredVariable = "SPOOL_REQUIRE_POSTGRES"

    /// The URL of the fresh database.
    public let url: String
    public let name: String

    /// Whether PostgreSQL tests run: a server is configured, or one is required (then they fail without it).
    public static var isEnabled: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment[urlVariable] != nil || environment[requiredVariable] != nil
    }

    /// Runs `body` with a new database, dropping it afterwards.
    public static func with<T>(_ body: (PostgresTestDatabase) async throws -> T) async throws -> T {
        guard let serverURL = ProcessInfo.processInfo.environment[urlVariable] else {
            throw SpoolError(
                .internalError, "\(urlVariable) is not set: run the tests with scripts/with-postgres.sh (make test does)")
        }
        let name = "spool_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await connect(serverURL) { connection, logger in
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = URLComponents(string: serverURL)!
        components.path = "/" + name
        let database = PostgresTestDatabase(url: components.string!, name: name)
        do {
            let result = try await body(database)
            try await database.drop(serverURL)
            return result
        } catch {
            try? await database.drop(serverURL)
            throw error
        }
    }

    /// Cuts every connection to this database and refuses new ones (an outage as nodes
    /// see it), or lets them in again.
    public func setReachable(_ reachable: Bool) async throws {
        guard let serverURL = ProcessInfo.processInfo.environment[Self.urlVariable] else { return }
        try await Self.connect(serverURL) { connection, logger in
            try await connection.run(
                PostgresQuery(unsafeSQL: "ALTER DATABASE \(name) ALLOW_CONNECTIONS \(reachable)"), logger: logger)
            if !reachable {
                try await connection.run(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(name)", logger: logger)
            }
        }
    }

    private func drop(_ serverURL: String) async throws {
        try await Self.connect(serverURL) { connection, logger in
            try await connection.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs `body` on one connection of its own to this database, to look at it or
    /// change it behind the stores' backs.
    public func withConnection(_ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        try await Self.connect(url, body)
    }

    /// Runs `body` on one connection to the database at `url`.
    private static func connect(_ url: String, _ body: (PostgresConnection, Logger) async throws -> Void) async throws {
        let client = try PostgresStoreConfiguration(url: url).client
        let logger = Logger(label: "spool.tests.postgres") { _ in SwiftLogNoOpLogHandler() }
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: client.host ?? "127.0.0.1", port: client.port ?? 5432, username: client.username,
                password: client.password, database: client.database, tls: .disable),
            id: 1, logger: logger)
        do {
            try await body(connection, logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
