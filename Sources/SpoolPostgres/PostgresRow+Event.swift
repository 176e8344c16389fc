import PostgresNIO
import SpoolCore

/// Events decoded straight from the bytes of a row's cells: PostgresNIO's generic
/// per-column decoding was most of what reading the feed cost a node.
extension PostgresRow.Iterator {
    /// The next cells as the columns of `PostgresEventStore.eventColumns`, an event of `path`.
    mutating func event(path: StreamPath) throws -> Event {
        Event(
            streamPath: path, offset: try nextInt(), position: try nextInt(), type: try nextText(),
            payloadJSON: try nextText(), metadataJSON: try nextOptionalText(), idempotencyKey: try nextOptionalText(),
            createdAt: Timestamp(millisecondsSinceEpoch: Int64(try nextInt())))
    }

    /// The next cell, a `BIGINT`.
    mutating func nextInt() throws -> Int {
        let cell = try nextCell()
        if cell.format == .binary, cell.dataType == .int8, var bytes = cell.bytes, bytes.readableBytes == 8,
            let value = bytes.readInteger(as: Int64.self)
        {
            return Int(value)
        }
        return try cell.decode(Int.self)
    }

    /// The next cell, a `TEXT` that is never `NULL`.
    mutating func nextText() throws -> String {
        guard let text = try nextOptionalText() else { throw SpoolError(.internalError, "a stored event has a NULL column") }
        return text
    }

    /// The next cell, a `TEXT`.
    mutating func nextOptionalText() throws -> String? {
        let cell = try nextCell()
        guard cell.dataType == .text else { return try cell.decode(String?.self) }
        return cell.bytes.map { String(buffer: $0) }  // text is UTF-8 in either format
    }

    private mutating func nextCell() throws -> PostgresCell {
        guard let cell = next() else { throw SpoolError(.internalError, "a stored event has too few columns") }
        return cell
    }
}
