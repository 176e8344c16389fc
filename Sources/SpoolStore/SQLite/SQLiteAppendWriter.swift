import GRDB
import SpoolCore

/// Writes the appends of one group-commit transaction.
///
/// Each request is planned with reads only (preconditions, idempotency) and
/// written only when the whole request is valid, so a refused request leaves
/// nothing behind while the others in the transaction go ahead.
struct SQLiteAppendWriter {
    let db: Database
    let now: Timestamp
    private(set) var nextPosition: Int
    /// Events stored by this transaction, in position order.
    private(set) var storedEvents: [Event] = []

    init(db: Database, now: Timestamp) throws {
        self.db = db
        self.now = now
        let maxPosition = try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM events")) ?? 0
        nextPosition = maxPosition + 1
    }

    /// What one input turns into.
    private enum Planned {
        case store(AppendInput)
        case replay(Event)
        /// Repeats the idempotency key of the input at this index of the same request.
        case sameAs(Int)
    }

    /// Appends a request's inputs to one stream, or throws a `SpoolError` having written nothing.
    mutating func append(_ inputs: [AppendInput], to path: StreamPath) throws -> AppendResult {
        let stream = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, head_offset, paused FROM streams WHERE path = ?"), arguments: [path.rawValue])
        let streamID: Int64? = stream?[0]
        let storedHead: Int = stream?[1] ?? 0
        let storedPaused: Bool = stream?[2] ?? false
        var paused = storedPaused
        var head = storedHead
        var plan: [Planned] = []
        var keysInRequest: [String: Int] = [:]
        for (index, input) in inputs.enumerated() {
            if let key = input.idempotencyKey {
                if let earlier = keysInRequest[key] {
                    guard inputs[earlier].type == input.type, inputs[earlier].payload == input.payload else {
                        throw Self.idempotencyConflict(key)
                    }
                    plan.append(.sameAs(earlier))
                    continue
                }
                keysInRequest[key] = index
                if let streamID, let original = try storedEvent(streamID: streamID, path: path, key: key) {
                    guard original.type == input.type, original.payload == input.payload else {
                        throw Self.idempotencyConflict(key)
                    }
                    plan.append(.replay(original))
                    continue
                }
            }
            if let expected = input.expectedOffset, expected != head {
                throw SpoolError(
                    .offsetConflict, "expected head offset \(expected) but the stream is at \(head)",
                    details: ["headOffset": .int(Int64(head))])
            }
            if paused && input.type != StreamPause.resumedType {
                throw SpoolError(
                    .streamPaused, "stream \(path) is paused; append \(StreamPause.resumedType) to resume it",
                    details: ["headOffset": .int(Int64(head))])
            }
            paused = StreamPause.isPaused(after: input.type, wasPaused: paused)
            plan.append(.store(input))
            head += 1
        }
        guard head > storedHead else {
            return AppendResult(events: Self.resolve(plan, stored: [:]), storedCount: 0)
        }
        let id = try streamID ?? createStream(path)
        var stored: [Int: Event] = [:]
        var offset = storedHead
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (stream_id, offset, position, type, payload, metadata, idempotency_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (index, step) in plan.enumerated() {
            guard case .store(let input) = step else { continue }
            offset += 1
            let event = Event(
                streamPath: path, offset: offset, position: nextPosition, type: input.type,
                payloadJSON: input.payload.jsonString, metadataJSON: input.metadata?.jsonString,
                idempotencyKey: input.idempotencyKey, createdAt: now)
            try insert.execute(arguments: [
                id, offset, nextPosition, event.type, event.payloadJSON, event.metadataJSON, event.idempotencyKey,
                now.millisecondsSinceEpoch,
            ])
            nextPosition += 1
            stored[index] = event
            storedEvents.append(event)
        }
        try db.cachedStatement(sql: "UPDATE streams SET head_offset = ?, updated_at = ?, paused = ? WHERE id = ?")
            .execute(arguments: [offset, now.millisecondsSinceEpoch, paused, id])
        return AppendResult(events: Self.resolve(plan, stored: stored), storedCount: stored.count)
    }

    private func createStream(_ path: StreamPath) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO streams (path, head_offset, created_at, updated_at) VALUES (?, 0, ?, ?)")
            .execute(arguments: [path.rawValue, now.millisecondsSinceEpoch, now.millisecondsSinceEpoch])
        return db.lastInsertedRowID
    }

    /// The event answering each input, in input order.
    private static func resolve(_ plan: [Planned], stored: [Int: Event]) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(plan.count)
        for (index, step) in plan.enumerated() {
            switch step {
            case .store: events.append(stored[index]!)
            case .replay(let original): events.append(original)
            case .sameAs(let earlier): events.append(events[earlier])
            }
        }
        return events
    }

    private func storedEvent(streamID: Int64, path: StreamPath, key: String) throws -> Event? {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT offset, position, type, payload, metadata, idempotency_key, created_at
                    FROM events WHERE stream_id = ? AND idempotency_key = ?
                    """), arguments: [streamID, key])
        return row.map { SQLiteEventStore.event(from: $0, path: path) }
    }

    private static func idempotencyConflict(_ key: String) -> SpoolError {
        SpoolError(
            .idempotencyConflict,
            "idempotency key '\(key)' was already used with a different type or payload",
            details: ["idempotencyKey": .string(key)])
    }
}
