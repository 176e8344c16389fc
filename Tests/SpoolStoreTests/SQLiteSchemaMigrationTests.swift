import GRDB
import Logging
import SpoolCore
@testable import SpoolStore
import Testing

/// A data directory written by an earlier schema opens with every event intact.
@Suite(.timeLimit(.minutes(2))) struct SQLiteSchemaMigrationTests {
    /// Events of two interleaved streams, one with an idempotency key, stored in the
    /// layout before `v3-events-in-position-order` (clustered by stream).
    static func writeEarlierLayout(to databasePath: String) throws {
        let queue = try DatabaseQueue(path: databasePath)
        try SQLiteSchema.migrator.migrate(queue, upTo: "v2-pauses-checkpoints-snapshots")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO streams (id, path, head_offset, created_at, updated_at) VALUES (1, '/a', 2, 10, 30), (2, '/b', 1, 20, 20)")
            try db.execute(
                sql: """
                    INSERT INTO events (stream_id, offset, position, type, payload, metadata, idempotency_key, created_at)
                    VALUES (1, 1, 1, 'test/one', '{"n":1}', NULL, NULL, 10),
                           (2, 1, 2, 'test/two', '{"n":2}', '{"by":"b"}', 'key-b', 20),
                           (1, 2, 3, 'test/three', '{"n":3}', NULL, 'key-a', 30)
                    """)
        }
    }

    @Test func eventsOfAnEarlierLayoutReadTheSameAndAppendsContinue() async throws {
        try await withTemporaryDirectory { directory in
            try Self.writeEarlierLayout(to: directory + "/spool.sqlite")
            let store = try SQLiteEventStore(directory: directory, logger: SQLiteEventStoreTests.logger)
            let a = try StreamPath("/a"), b = try StreamPath("/b")

            let streamA = try await store.read(a, after: 0, limit: 10)
            #expect(streamA.map(\.offset) == [1, 2])
            #expect(streamA.map(\.position) == [1, 3])
            #expect(streamA.map(\.type) == ["test/one", "test/three"])
            #expect(streamA[1].idempotencyKey == "key-a")
            let streamB = try await store.read(b, after: 0, limit: 10)
            #expect(streamB.map(\.payloadJSON) == [#"{"n":2}"#])
            #expect(streamB.first?.metadataJSON == #"{"by":"b"}"#)
            #expect(streamB.first?.createdAt == Timestamp(millisecondsSinceEpoch: 20))
            let feed = try await store.readFeed(prefix: StreamPrefix.root, after: 0, limit: 10)
            #expect(feed.map(\.position) == [1, 2, 3])
            #expect(feed.map(\.streamPath) == [a, b, a])

            // Keys still replay, and new events take the next offset and position.
            let replay = try await store.append([AppendInput(type: "test/two", payloadJSON: #"{"n":2}"#, metadataJSON: nil, idempotencyKey: "key-b")], to: b)
            #expect(replay.storedCount == 0)
            #expect(replay.events.first?.position == 2)
            let next = try await store.append([AppendInput(type: "test/four")], to: a)
            #expect(next.events.map(\.offset) == [3])
            #expect(next.events.map(\.position) == [4])
            try await SQLiteEventStoreTests.close(store)
        }
    }

    /// System events stored before their index existed are found through it.
    @Test func systemEventsStoredBeforeTheIndexAreReadByType() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/spool.sqlite")
            try SQLiteSchema.migrator.migrate(queue, upTo: "v3-events-in-position-order")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO streams (id, path, head_offset, created_at, updated_at) VALUES (1, '/a', 3, 10, 30)")
                try db.execute(
                    sql: """
                        INSERT INTO events (position, stream_id, offset, type, payload, created_at)
                        VALUES (1, 1, 1, 'test/one', '{}', 10),
                               (2, 1, 2, 'spool/test-configured', '{"n":2}', 20),
                               (3, 1, 3, 'spool/test-other', '{}', 30)
                        """)
            }
            try queue.close()
            let store = try SQLiteEventStore(directory: directory, logger: SQLiteEventStoreTests.logger)
            let found = try await store.readSystemEvents(ofType: "spool/test-configured", after: 0, limit: 10)
            #expect(found.map(\.position) == [2])
            #expect(found.first?.payloadJSON == #"{"n":2}"#)
            #expect(found.first?.streamPath == (try StreamPath("/a")))
            try await SQLiteEventStoreTests.close(store)
        }
    }
}
