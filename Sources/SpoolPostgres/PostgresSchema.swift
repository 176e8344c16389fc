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
        Migration(
            version: 3, name: "append-planned-function",
            sql: [
                // Applies a batch planned by PostgresAppendTransaction in one round trip.
                // The plan was made from stream rows read without any lock, so each stream
                // moves only from the head the plan saw (compare and set); if any moved
                // meanwhile, the whole batch fails with serialization_failure and is planned
                // again. Locking spool_head first keeps commits in position order, and
                // nothing else is locked before it, so appends cannot deadlock.
                """
                CREATE FUNCTION spool_append_planned(
                    stream_paths TEXT[], stream_existed BOOLEAN[], heads_before BIGINT[], heads_after BIGINT[],
                    paused_before BOOLEAN[], paused_after BOOLEAN[],
                    event_paths TEXT[], event_offsets BIGINT[], event_types TEXT[], event_payloads TEXT[],
                    event_metadata TEXT[], event_keys TEXT[], stored_at BIGINT, channel TEXT
                ) RETURNS BIGINT LANGUAGE plpgsql AS $$
                DECLARE
                    head_before BIGINT;
                    moved INT;
                    created INT;
                BEGIN
                    UPDATE spool_head SET position = position + cardinality(event_offsets)
                        RETURNING position - cardinality(event_offsets) INTO head_before;
                    UPDATE spool_streams s SET head_offset = v.head_after, paused = v.paused_after, updated_at = stored_at
                    FROM unnest(stream_paths, stream_existed, heads_before, heads_after, paused_before, paused_after)
                        AS v(path, existed, head_before, head_after, paused_before, paused_after)
                    WHERE v.existed AND s.path = v.path AND s.head_offset = v.head_before AND s.paused = v.paused_before;
                    GET DIAGNOSTICS moved = ROW_COUNT;
                    INSERT INTO spool_streams (path, head_offset, paused, created_at, updated_at)
                    SELECT v.path, v.head_after, v.paused_after, stored_at, stored_at
                    FROM unnest(stream_paths, stream_existed, heads_after, paused_after) AS v(path, existed, head_after, paused_after)
                    WHERE NOT v.existed
                    ON CONFLICT (path) DO NOTHING;
                    GET DIAGNOSTICS created = ROW_COUNT;
                    IF moved + created <> cardinality(stream_paths) THEN
                        RAISE EXCEPTION 'a stream changed after the append was planned' USING ERRCODE = 'serialization_failure';
                    END IF;
                    INSERT INTO spool_events (stream_id, "offset", position, type, payload, metadata, idempotency_key, created_at)
                    SELECT s.id, e."offset", head_before + e.n, e.type, e.payload, NULLIF(e.metadata, ''), NULLIF(e.key, ''), stored_at
                    FROM unnest(event_paths, event_offsets, event_types, event_payloads, event_metadata, event_keys)
                        WITH ORDINALITY AS e(path, "offset", type, payload, metadata, key, n)
                    JOIN spool_streams s ON s.path = e.path;
                    PERFORM pg_notify(channel, (head_before + cardinality(event_offsets))::text);
                    RETURN head_before;
                END
                $$
                """,
            ]),
        Migration(
            version: 4, name: "events-without-stream-foreign-key",
            sql: [
                // Each inserted event's foreign key check looked its stream row up and
                // locked it again: almost half of an append's time in the database. Events
                // get their stream_id only from the join in spool_append_planned, and streams
                // are never deleted, so the check guarded nothing.
                "ALTER TABLE spool_events DROP CONSTRAINT IF EXISTS spool_events_stream_id_fkey",
            ]),
        Migration(
            version: 5, name: "append-planned-with-notice",
            sql: [
                // Migration 3's function, with two changes. `notice`: the commit's events as
                // `CommitNotice` encodes them ('' when they do not fit), sent after the head
                // position, so other nodes publish them without reading them back.
                // `event_streams`: each event's stream as its index in `stream_paths`, not
                // its path, so events take their stream ids from an array instead of a join
                // per event. Migration 3's version stays for nodes of the previous release
                // while a cluster is upgraded.
                """
                CREATE FUNCTION spool_append_planned(
                    stream_paths TEXT[], stream_existed BOOLEAN[], heads_before BIGINT[], heads_after BIGINT[],
                    paused_before BOOLEAN[], paused_after BOOLEAN[],
                    event_streams INT[], event_offsets BIGINT[], event_types TEXT[], event_payloads TEXT[],
                    event_metadata TEXT[], event_keys TEXT[], stored_at BIGINT, channel TEXT, notice TEXT
                ) RETURNS BIGINT LANGUAGE plpgsql AS $$
                DECLARE
                    head_before BIGINT;
                    moved INT;
                    created INT;
                    stream_ids BIGINT[];
                BEGIN
                    UPDATE spool_head SET position = position + cardinality(event_offsets)
                        RETURNING position - cardinality(event_offsets) INTO head_before;
                    UPDATE spool_streams s SET head_offset = v.head_after, paused = v.paused_after, updated_at = stored_at
                    FROM unnest(stream_paths, stream_existed, heads_before, heads_after, paused_before, paused_after)
                        AS v(path, existed, head_before, head_after, paused_before, paused_after)
                    WHERE v.existed AND s.path = v.path AND s.head_offset = v.head_before AND s.paused = v.paused_before;
                    GET DIAGNOSTICS moved = ROW_COUNT;
                    INSERT INTO spool_streams (path, head_offset, paused, created_at, updated_at)
                    SELECT v.path, v.head_after, v.paused_after, stored_at, stored_at
                    FROM unnest(stream_paths, stream_existed, heads_after, paused_after) AS v(path, existed, head_after, paused_after)
                    WHERE NOT v.existed
                    ON CONFLICT (path) DO NOTHING;
                    GET DIAGNOSTICS created = ROW_COUNT;
                    IF moved + created <> cardinality(stream_paths) THEN
                        RAISE EXCEPTION 'a stream changed after the append was planned' USING ERRCODE = 'serialization_failure';
                    END IF;
                    SELECT array_agg(s.id ORDER BY p.n) INTO stream_ids
                    FROM unnest(stream_paths) WITH ORDINALITY AS p(path, n) JOIN spool_streams s ON s.path = p.path;
                    INSERT INTO spool_events (stream_id, "offset", position, type, payload, metadata, idempotency_key, created_at)
                    SELECT stream_ids[e.stream], e."offset", head_before + e.n, e.type, e.payload, NULLIF(e.metadata, ''),
                        NULLIF(e.key, ''), stored_at
                    FROM unnest(event_streams, event_offsets, event_types, event_payloads, event_metadata, event_keys)
                        WITH ORDINALITY AS e(stream, "offset", type, payload, metadata, key, n);
                    PERFORM pg_notify(channel, (head_before + cardinality(event_offsets))::text
                        || CASE WHEN notice = '' THEN '' ELSE ' ' || notice END);
                    RETURN head_before;
                END
                $$
                """,
            ]),
        Migration(
            version: 6, name: "system-events-by-type",
            sql: [
                // Processors find their configurations (`spool/subscription-configured`, …)
                // when they start without reading the whole store. Only system events enter
                // the index. Its condition is `systemTypeCondition`, which queries repeat.
                """
                CREATE INDEX IF NOT EXISTS spool_events_by_system_type ON spool_events (type, position)
                    WHERE left(type, 6) = 'spool/'
                """,
            ]),
    ]

    /// The condition of the index of system events (migration 6), which a query repeats so the
    /// planner sees at once that the index holds every row it could want: never change it.
    static let systemTypeCondition = "left(e.type, 6) = 'spool/'"

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
