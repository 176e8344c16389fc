import GRDB
import SpoolCore

extension SQLiteEventStore: ProcessorStateStore {
    public func checkpoint(for consumer: String) async throws -> Int {
        try await reading { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT position FROM checkpoints WHERE consumer = ?"), arguments: [consumer]) ?? 0
        }
    }

    public func saveCheckpoint(_ position: Int, for consumer: String) async throws {
        try await writing { db in try Self.upsertCheckpoint(db, consumer: consumer, position: position) }
    }

    public func snapshot(processor: String, stream: StreamPath) async throws -> StateSnapshot? {
        try await reading { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT offset, state FROM snapshots WHERE processor = ? AND stream_path = ?"),
                arguments: [processor, stream.rawValue]
            ).map { StateSnapshot(stream: stream, offset: $0[0], stateJSON: $0[1]) }
        }
    }

    public func snapshots(processor: String) async throws -> [StateSnapshot] {
        try await reading { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT stream_path, offset, state FROM snapshots WHERE processor = ? ORDER BY stream_path"),
                arguments: [processor])
            var snapshots: [StateSnapshot] = []
            while let row = try rows.next() {
                snapshots.append(StateSnapshot(stream: try StreamPath(row[0] as String), offset: row[1], stateJSON: row[2]))
            }
            return snapshots
        }
    }

    public func saveProgress(processor: String, snapshots: [StateSnapshot], checkpoint: Int?) async throws {
        try await writing { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO snapshots (processor, stream_path, offset, state) VALUES (?, ?, ?, ?)
                    ON CONFLICT (processor, stream_path) DO UPDATE SET offset = excluded.offset, state = excluded.state
                    WHERE excluded.offset >= snapshots.offset
                    """)
            for snapshot in snapshots {
                try upsert.execute(arguments: [processor, snapshot.stream.rawValue, snapshot.offset, snapshot.stateJSON])
            }
            if let checkpoint { try Self.upsertCheckpoint(db, consumer: ProcessorCheckpoint.consumer(of: processor), position: checkpoint) }
        }
    }

    static func upsertCheckpoint(_ db: Database, consumer: String, position: Int) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO checkpoints (consumer, position, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
                """
        ).execute(arguments: [consumer, position, Timestamp.now().millisecondsSinceEpoch])
    }
}
