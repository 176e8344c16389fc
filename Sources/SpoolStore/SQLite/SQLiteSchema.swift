import GRDB

/// The SQLite schema, as GRDB migrations. Add a migration; never edit one.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-streams-and-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE streams (
                        id INTEGER PRIMARY KEY,
                        path TEXT NOT NULL UNIQUE,
                        head_offset INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    -- Clustered by stream so reading a stream is one sequential range scan.
                    CREATE TABLE events (
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        offset INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        metadata TEXT,
                        idempotency_key TEXT,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (stream_id, offset)
                    ) WITHOUT ROWID;
                    CREATE UNIQUE INDEX events_by_position ON events(position);
                    CREATE UNIQUE INDEX events_by_idempotency_key ON events(stream_id, idempotency_key)
                        WHERE idempotency_key IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v2-pauses-checkpoints-snapshots") { db in
            try db.execute(
                sql: """
                    ALTER TABLE streams ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
                    -- Consumers' feed positions: in-process processors and remote ones.
                    CREATE TABLE checkpoints (
                        consumer TEXT PRIMARY KEY,
                        position INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    -- A processor's state of one stream as of an offset, so restarts refold only the tail.
                    CREATE TABLE snapshots (
                        processor TEXT NOT NULL,
                        stream_path TEXT NOT NULL,
                        offset INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        PRIMARY KEY (processor, stream_path)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3-events-in-position-order") { db in
            // Events stored in position order (the table's row id) go at the end of
            // the table, and a stream's offsets into a small index: a commit touches
            // the table's last page and one index page per stream, where clustering
            // by stream made every commit rebalance the pages around each stream's end.
            try db.execute(
                sql: """
                    CREATE TABLE events_by_position_order (
                        position INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES streams(id),
                        offset INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        metadata TEXT,
                        idempotency_key TEXT,
                        created_at INTEGER NOT NULL
                    );
                    INSERT INTO events_by_position_order
                        SELECT position, stream_id, offset, type, payload, metadata, idempotency_key, created_at
                        FROM events ORDER BY position;
                    DROP TABLE events;
                    ALTER TABLE events_by_position_order RENAME TO events;
                    CREATE UNIQUE INDEX events_by_stream ON events(stream_id, offset);
                    CREATE UNIQUE INDEX events_by_idempotency_key ON events(stream_id, idempotency_key)
                        WHERE idempotency_key IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v4-system-events-by-type") { db in
            // Processors find their configurations (`spool/subscription-configured`, …) when
            // they start without reading the whole store. Only system events enter the index,
            // so other appends pay one comparison for it.
            try db.execute(
                sql: "CREATE INDEX \(systemEventsIndex) ON events(type, position) WHERE \(systemTypeCondition)")
        }
        return migrator
    }

    /// The partial index of system events by type.
    static let systemEventsIndex = "events_by_system_type"

    /// The condition of `systemEventsIndex`, which a query must repeat word for word for SQLite
    /// to use the index: never change it (`v4-system-events-by-type` made the index with it).
    static let systemTypeCondition = "type >= 'spool/' AND type < 'spool0'"
}
