import GRDB
import GRDBSQLite
import SpoolCore

/// The prepared `INSERT` of one event, bound through SQLite's C API.
///
/// Every appended event passes through here on the store's single writer, so
/// it skips GRDB's general argument path (an array of existentials per row);
/// text is bound straight from Swift's UTF-8 storage.
struct EventInsertStatement {
    private let statement: Statement

    init(_ db: Database) throws {
        statement = try db.cachedStatement(
            sql: """
                INSERT INTO events (stream_id, offset, position, type, payload, metadata, idempotency_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
    }

    /// Inserts `event` into the stream with row id `streamID`.
    func insert(_ event: Event, streamID: Int64, db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, streamID)
        sqlite3_bind_int64(handle, 2, Int64(event.offset))
        sqlite3_bind_int64(handle, 3, Int64(event.position))
        Self.bind(event.type, at: 4, of: handle)
        Self.bind(event.payloadJSON, at: 5, of: handle)
        Self.bind(event.metadataJSON, at: 6, of: handle)
        Self.bind(event.idempotencyKey, at: 7, of: handle)
        sqlite3_bind_int64(handle, 8, event.createdAt.millisecondsSinceEpoch)
        let code = sqlite3_step(handle)
        sqlite3_clear_bindings(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
        }
    }

    /// Binds text (copied by SQLite, so the Swift string need not outlive the call) or NULL.
    private static func bind(_ text: String?, at index: Int32, of handle: OpaquePointer) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, index, utf8.baseAddress, Int32(utf8.count), transient)
        }
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
