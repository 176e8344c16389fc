import Logging
import PostgresNIO
import SpoolCore
import SpoolStore

extension PostgresEventStore: ProcessorStateStore {
    public func checkpoint(for consumer: String) async throws -> Int {
        try await rows("SELECT position FROM spool_checkpoints WHERE consumer = \(consumer)").first?.decode(Int.self) ?? 0
    }

    public func saveCheckpoint(_ position: Int, for consumer: String) async throws {
        try await writing("save a checkpoint") { connection in
            try await Self.upsertCheckpoint(connection, consumer: consumer, position: position, logger: self.logger)
        }
    }

    public func snapshot(processor: String, stream: StreamPath) async throws -> StateSnapshot? {
        try await rows(
            #"SELECT "offset", state FROM spool_snapshots WHERE processor = \#(processor) AND stream_path = \#(stream.rawValue)"#
        ).first.map { row in
            let (offset, state) = try row.decode((Int, String).self)
            return StateSnapshot(stream: stream, offset: offset, stateJSON: state)
        }
    }

    public func snapshots(processor: String) async throws -> [StateSnapshot] {
        try await rows(
            #"SELECT stream_path, "offset", state FROM spool_snapshots WHERE processor = \#(processor) ORDER BY stream_path"#
        ).map { row in
            let (path, offset, state) = try row.decode((String, Int, String).self)
            return StateSnapshot(stream: try StreamPath(path), offset: offset, stateJSON: state)
        }
    }

    public func saveProgress(processor: String, snapshots: [StateSnapshot], checkpoint: Int?) async throws {
        try await writing("save processor progress") { connection in
            if !snapshots.isEmpty {
                // A snapshot never moves backwards, whichever node saves it.
                try await connection.run(
                    """
                    INSERT INTO spool_snapshots (processor, stream_path, "offset", state)
                    SELECT \(processor), path, "offset", state
                    FROM unnest(\(snapshots.map(\.stream.rawValue))::text[], \(snapshots.map(\.offset))::bigint[],
                        \(snapshots.map(\.stateJSON))::text[]) AS v(path, "offset", state)
                    ON CONFLICT (processor, stream_path) DO UPDATE SET "offset" = excluded."offset", state = excluded.state
                    WHERE excluded."offset" >= spool_snapshots."offset"
                    """, logger: self.logger)
            }
            if let checkpoint {
                try await Self.upsertCheckpoint(
                    connection, consumer: ProcessorCheckpoint.consumer(of: processor), position: checkpoint, logger: self.logger)
            }
        }
    }

    private func writing(_ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Void) async throws {
        try await waitUntilReady()
        try await withDatabase(what) {
            try await self.client.withConnection { connection in
                try await connection.withTransaction(logger: self.logger) { connection in try await body(connection) }
            }
        }
    }

    private static func upsertCheckpoint(
        _ connection: PostgresConnection, consumer: String, position: Int, logger: Logger
    ) async throws {
        try await connection.run(
            """
            INSERT INTO spool_checkpoints (consumer, position, updated_at)
            VALUES (\(consumer), \(position), \(Timestamp.now().millisecondsSinceEpoch))
            ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """, logger: logger)
    }
}
