import PostgresNIO

/// The two statements of every append batch, prepared once per connection, so
/// PostgreSQL parses and plans them once rather than once per batch.

/// Reads the rows of the streams a batch appends to (without a lock: see `PostgresAppendTransaction`).
struct ReadStreamRows: PostgresPreparedStatement {
    static let sql = "SELECT id, path, head_offset, paused FROM spool_streams WHERE path = ANY($1)"
    typealias Row = (Int, String, Int, Bool)

    var paths: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(paths)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// Applies a planned batch with `spool_append_planned` (see `PostgresSchema`); answers the
/// store's head position before the batch.
struct ApplyPlannedBatch: PostgresPreparedStatement {
    static let sql = "SELECT spool_append_planned($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    typealias Row = Int

    /// Per stream the batch moves.
    var streamPaths: [String]
    var streamExisted: [Bool]
    var headsBefore: [Int]
    var headsAfter: [Int]
    var pausedBefore: [Bool]
    var pausedAfter: [Bool]
    /// Per event, in position order. Absent metadata and keys are empty strings
    /// (neither can be empty when present).
    var eventPaths: [String]
    var eventOffsets: [Int]
    var eventTypes: [String]
    var eventPayloads: [String]
    var eventMetadata: [String]
    var eventKeys: [String]
    var storedAt: Int64
    var channel: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 14)
        bindings.append(streamPaths)
        bindings.append(streamExisted)
        bindings.append(headsBefore)
        bindings.append(headsAfter)
        bindings.append(pausedBefore)
        bindings.append(pausedAfter)
        bindings.append(eventPaths)
        bindings.append(eventOffsets)
        bindings.append(eventTypes)
        bindings.append(eventPayloads)
        bindings.append(eventMetadata)
        bindings.append(eventKeys)
        bindings.append(storedAt)
        bindings.append(channel)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}
