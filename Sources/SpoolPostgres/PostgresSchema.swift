import Logging
import PostgresNIO

/// The PostgreSQL schema as numbered migrations, applied in order on start and
/// recorded in `spool_migrations`. Add a migration; never edit one.
///
/// Nodes starting together migrate one at a time: each takes a transaction-level
/// advisory lock first, then applies only what is not recorded yet.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        var sql: [String]
    }

    /// An arbitrary constant naming Spool's migration lock.
    static let migrationLockKey = 0x5350_4F4F_4C

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "streams-events-head",
            sql: [
                // Paths compare bytewise (COLLATE "C") so prefix range scans and ORDER BY path
                // agree with StreamPrefix, whatever the database's locale.
                """
                CREATE TABLE spool_streams (
                    id BIGSERIAL PRIMARY KEY,
                    path TEXT COLLATE "C" NOT NULL UNIQUE,
                    head_offset BIGINT NOT NULL,
                    paused BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                // Payloads stay TEXT, not JSONB, so events come back byte for byte as stored.
                """
                CREATE TABLE spool_events (
                    stream_id BIGINT NOT NULL REFERENCES spool_streams(id),
                    "offset" BIGINT NOT NULL,
                    position BIGINT NOT NULL,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    metadata TEXT,
                    idempotency_key TEXT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (stream_id, "offset")
                )
                """,
                "CREATE UNIQUE INDEX spool_events_by_position ON spool_events (position)",
                """
                CREATE UNIQUE INDEX spool_events_by_idempotency_key ON spool_events (stream_id, idempotency_key)
                    WHERE idempotency_key IS NOT NULL
                """,
                // The store-wide head position, one row. Every append transaction locks it first
                // (see PostgresAppendTransaction), which orders commits by position.
                """
                CREATE TABLE spool_head (
                    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
                    position BIGINT NOT NULL
                )
                """,
                "INSERT INTO spool_head (position) VALUES (0)",
            ]),
        Migration(
            version: 2, name: "checkpoints-snapshots-leases",
            sql: [
                """
                CREATE TABLE spool_checkpoints (
                    consumer TEXT PRIMARY KEY,
                    position BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE spool_snapshots (
                    processor TEXT NOT NULL,
                    stream_path TEXT COLLATE "C" NOT NULL,
                    "offset" BIGINT NOT NULL,
                    state TEXT NOT NULL,
                    PRIMARY KEY (processor, stream_path)
                )
                """,
                // Which node runs a processor, until when (the database's clock decides).
                """
                CREATE TABLE spool_leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
            ]),
    ]

    /// Applies every migration the database has not recorded yet.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS spool_migrations (
                    version INT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM spool_migrations", logger: logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    "INSERT INTO spool_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                logger.info(
                    "applied migration", metadata: ["spool.migration": "\(migration.version)-\(migration.name)"])
            }
        }
    }
}
