import Foundation
import GRDB
import SpoolCore
@testable import SpoolStore
import SpoolTesting
import Testing

/// A database this user may only read is refused when the store opens, not at every append.
///
/// Tests run as root, which writes a file whatever its mode (`chmod 0444` does not stop it),
/// so a read-only database is made two other ways: a connection GRDB opens read-only, and,
/// where the file system allows it, a file made immutable with `chattr +i`.
@Suite(.timeLimit(.minutes(3))) struct SQLiteReadOnlyTests {
    @Test func theWriteCheckRefusesAReadOnlyConnectionAndPassesAWritableOne() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteEventStore(directory: directory, logger: SQLiteEventStoreTests.logger)
            try await store.append(AppendInput(type: "note/added"), to: StreamPath("/notes"))
            try await SQLiteEventStoreTests.close(store)

            var readOnly = Configuration()
            readOnly.readonly = true
            let reader = try DatabaseQueue(path: store.databasePath, configuration: readOnly)
            #expect {
                try SQLiteEventStore.checkWritable(reader, path: store.databasePath)
            } throws: { error in
                let error = error as? SpoolError
                return error?.code == .unavailable
                    && error?.message.hasPrefix("cannot write the database \(store.databasePath): it is read-only for this user") == true
                    && error?.message.contains("\n") == false
            }
            try reader.close()

            let writer = try DatabaseQueue(path: store.databasePath)
            try SQLiteEventStore.checkWritable(writer, path: store.databasePath)
            #expect(try await writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") } == 1, "the check changes nothing")
            try writer.close()
        }
    }

    @Test(.enabled(if: ImmutableFile.isSupported, "the file system or this user cannot make a file immutable (chattr +i)"))
    func aStoreOnAnImmutableDatabaseFileRefusesToOpen() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteEventStore(directory: directory, logger: SQLiteEventStoreTests.logger)
            try await SQLiteEventStoreTests.close(store)
            try ImmutableFile.set(store.databasePath, immutable: true)
            defer { try? ImmutableFile.set(store.databasePath, immutable: false) }
            #expect {
                try SQLiteEventStore(directory: directory, logger: SQLiteEventStoreTests.logger)
            } throws: { error in
                (error as? SpoolError)?.message.contains("it is read-only for this user") == true
            }
        }
    }
}
