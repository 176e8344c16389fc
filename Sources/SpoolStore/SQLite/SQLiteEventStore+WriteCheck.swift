import GRDB
import GRDBSQLite
import SpoolCore

extension SQLiteEventStore {
    /// Throws unless `writer`'s connection may write its database.
    ///
    /// SQLite opens a file this user may only read read-only without a word, so a store on it
    /// would start and then fail every append; checking at open makes that a start-up error.
    /// - Throws: `readOnly(path:cause:)`'s error.
    static func checkWritable(_ writer: some DatabaseWriter, path: String) throws {
        let readOnly = writer.writeWithoutTransaction { db in sqlite3_db_readonly(db.sqliteConnection, "main") == 1 }
        if readOnly { throw Self.readOnly(path: path) }
    }

    /// The one-line error for a database at `path` this user may only read.
    static func readOnly(path: String, cause: (any Error & Sendable)? = nil) -> SpoolError {
        SpoolError(
            .unavailable,
            "cannot write the database \(path): it is read-only for this user; "
                + "make it and its directory writable (check owner, mode and mount), or choose another --data directory",
            cause: cause)
    }
}
