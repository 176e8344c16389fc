import Foundation
import PostgresNIO
import SpoolCore

/// Where and how the PostgreSQL store connects, parsed from a URL such as
/// `postgres://spool:secret@127.0.0.1:5432/spool?sslmode=disable`.
///
/// - `sslmode`: `disable` (the default on loopback), `prefer` (the default
///   elsewhere) or `require`.
/// - `pool_size`: the most connections one node opens (default 20).
public struct PostgresStoreConfiguration: Sendable {
    /// The connection settings handed to `PostgresClient`.
    public var client: PostgresClient.Configuration
    /// How long a request may wait for the database before it fails with 503 `unavailable`.
    public var requestTimeout: Duration = .seconds(5)

    public init(client: PostgresClient.Configuration) {
        self.client = client
        self.client.options.additionalStartupParameters += Self.sessionSettings
    }

    /// What the store's appends assume of every session, whatever the database's or role's
    /// defaults say: commits flushed to the server's disk before they are acknowledged, and
    /// READ COMMITTED (under REPEATABLE READ, a group's update of a contended head would fail).
    public static let sessionSettings = [
        ("synchronous_commit", "on"), ("default_transaction_isolation", "read committed"),
    ]

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: `SpoolError` `invalid_request` naming what is wrong with it.
    public init(url text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw SpoolError(.invalidRequest, "not a PostgreSQL URL (postgres://user:password@host:port/database): \(text)")
        }
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let query = Dictionary(
            (url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let isLoopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? (isLoopback ? "disable" : "prefer") {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw SpoolError(.invalidRequest, "unknown sslmode '\(other)' in the PostgreSQL URL")
        }
        let database = url.path.drop { $0 == "/" }
        var client = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432,
            username: url.user?.removingPercentEncoding ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres",
            password: url.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : String(database).removingPercentEncoding, tls: tls)
        if let size = query["pool_size"] {
            guard let size = Int(size), size > 0 else {
                throw SpoolError(.invalidRequest, "pool_size in the PostgreSQL URL must be a positive integer")
            }
            client.options.maximumConnections = size
        }
        client.options.connectTimeout = .seconds(5)
        self.init(client: client)
    }

    /// The URL without its password, for logs and `spool serve`'s banner.
    public static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? text
    }
}
