import Logging
import PostgresNIO
import SpoolCore
import SpoolStore

/// Commits the appends of one group-commit batch in one PostgreSQL transaction.
///
/// **Ordering across nodes.** A naive `BIGSERIAL` position would let a reader
/// see position 11 committed while 10 is still in flight, and skip 10 for good.
/// Instead every append transaction first locks the single row of `spool_head`
/// (`SELECT … FOR UPDATE`) and assigns positions after the head it holds. The
/// next transaction, on this node or any other, can read the head only after
/// this one has committed or rolled back, so positions become visible strictly
/// in order and stay gapless: a feed reader that has seen position N knows that
/// N + 1 is the next event to become visible. Group commit makes the lock cheap:
/// it is taken once per batch, not once per append, and held for a few round
/// trips: lock, read the streams (and the keys to replay), create new streams,
/// then one statement writes every row of the batch.
///
/// Every request is planned in memory first (`AppendPlan`); a refused request
/// contributes no rows, while the others in the batch go ahead.
struct PostgresAppendTransaction {
    /// A stream as this transaction sees it.
    private struct StreamState {
        var id: Int?
        var head: Int
        var paused: Bool
        var changed = false
        /// Events with idempotency keys that requests of this batch may replay.
        var keyed: [String: Event] = [:]
    }

    let connection: PostgresConnection
    let logger: Logger

    /// Appends every request, returning each one's outcome and the events stored, in position order.
    func commit(_ requests: [PendingAppends.Request]) async throws -> (outcomes: [Result<AppendResult, SpoolError>], stored: [Event]) {
        let head = try await lockHead()
        var streams = try await loadStreams(Set(requests.map(\.path)))
        try await loadKeyedEvents(requests, into: &streams)

        let now = Timestamp.now()
        var nextPosition = head + 1
        var stored: [Event] = []
        var outcomes: [Result<AppendResult, SpoolError>] = []
        outcomes.reserveCapacity(requests.count)
        for request in requests {
            var stream = streams[request.path] ?? StreamState(id: nil, head: 0, paused: false)
            do {
                let plan = try AppendPlan(request.inputs, to: request.path, head: stream.head, paused: stream.paused) {
                    stream.keyed[$0]
                }
                let (new, answer) = plan.events(path: request.path, firstPosition: nextPosition, now: now)
                if !new.isEmpty {
                    nextPosition += new.count
                    stream.head = plan.headAfter
                    stream.paused = plan.pausedAfter
                    stream.changed = true
                    for event in new { if let key = event.idempotencyKey { stream.keyed[key] = event } }
                    streams[request.path] = stream
                    stored += new
                }
                outcomes.append(.success(AppendResult(events: answer, storedCount: new.count)))
            } catch let error as SpoolError {
                outcomes.append(.failure(error))
            }
        }
        guard !stored.isEmpty else { return (outcomes, []) }
        try await createStreams(&streams, now: now)
        try await write(stored, streams: streams, now: now)
        return (outcomes, stored)
    }

    private func lockHead() async throws -> Int {
        let rows = try await connection.query("SELECT position FROM spool_head FOR UPDATE", logger: logger).collect()
        guard let position = try rows.first?.decode(Int.self) else {
            throw SpoolError(.internalError, "spool_head has no row; the schema is damaged")
        }
        return position
    }

    private func loadStreams(_ paths: Set<StreamPath>) async throws -> [StreamPath: StreamState] {
        var streams: [StreamPath: StreamState] = [:]
        let rows = try await connection.query(
            "SELECT id, path, head_offset, paused FROM spool_streams WHERE path = ANY(\(paths.map(\.rawValue)))",
            logger: logger)
        for try await (id, path, head, paused) in rows.decode((Int, String, Int, Bool).self) {
            streams[try StreamPath(path)] = StreamState(id: id, head: head, paused: paused)
        }
        return streams
    }

    /// Fetches, in one query, the stored events whose idempotency keys the requests repeat.
    private func loadKeyedEvents(_ requests: [PendingAppends.Request], into streams: inout [StreamPath: StreamState]) async throws {
        var streamIDs: [Int] = []
        var keys: [String] = []
        var paths: [Int: StreamPath] = [:]
        for request in requests {
            guard let id = streams[request.path]?.id else { continue }
            paths[id] = request.path
            for case let key? in request.inputs.map(\.idempotencyKey) {
                streamIDs.append(id)
                keys.append(key)
            }
        }
        guard !keys.isEmpty else { return }
        let rows = try await connection.query(
            """
            SELECT e.stream_id, \(unescaped: PostgresEventStore.eventColumns)
            FROM spool_events e JOIN unnest(\(streamIDs)::bigint[], \(keys)::text[]) AS k(stream_id, key)
                ON e.stream_id = k.stream_id AND e.idempotency_key = k.key
            """, logger: logger)
        for try await row in rows {
            let id = try row.decode(Int.self, context: .default)
            guard let path = paths[id] else { continue }
            let event = try PostgresEventStore.event(from: row, path: path, firstColumn: 1)
            if let key = event.idempotencyKey { streams[path]?.keyed[key] = event }
        }
    }

    private func createStreams(_ streams: inout [StreamPath: StreamState], now: Timestamp) async throws {
        let new = streams.filter { $0.value.id == nil && $0.value.changed }
        guard !new.isEmpty else { return }
        let rows = try await connection.query(
            """
            INSERT INTO spool_streams (path, head_offset, paused, created_at, updated_at)
            SELECT path, head, paused, \(now.millisecondsSinceEpoch), \(now.millisecondsSinceEpoch)
            FROM unnest(\(new.keys.map(\.rawValue))::text[], \(new.values.map(\.head))::bigint[], \(new.values.map(\.paused))::boolean[])
                AS v(path, head, paused)
            RETURNING id, path
            """, logger: logger)
        for try await (id, path) in rows.decode((Int, String).self) {
            streams[try StreamPath(path)]?.id = id
            streams[try StreamPath(path)]?.changed = false
        }
    }

    /// Moves the heads of existing streams, inserts the events, moves the store's head
    /// and notifies the other nodes, in one statement: one round trip under the lock.
    /// Absent metadata and keys travel as empty strings (neither can be empty when present).
    private func write(_ events: [Event], streams: [StreamPath: StreamState], now: Timestamp) async throws {
        let changed = streams.values.filter { $0.id != nil && $0.changed }
        let last = events[events.count - 1].position
        try await connection.run(
            """
            WITH moved_streams AS (
                UPDATE spool_streams s SET head_offset = v.head, paused = v.paused, updated_at = \(now.millisecondsSinceEpoch)
                FROM unnest(\(changed.map { $0.id! })::bigint[], \(changed.map(\.head))::bigint[], \(changed.map(\.paused))::boolean[])
                    AS v(id, head, paused)
                WHERE s.id = v.id
            ), inserted AS (
                INSERT INTO spool_events (stream_id, "offset", position, type, payload, metadata, idempotency_key, created_at)
                SELECT stream_id, "offset", position, type, payload, NULLIF(metadata, ''), NULLIF(key, ''), created_at
                FROM unnest(
                    \(events.map { streams[$0.streamPath]!.id! })::bigint[], \(events.map(\.offset))::bigint[],
                    \(events.map(\.position))::bigint[], \(events.map(\.type))::text[], \(events.map(\.payloadJSON))::text[],
                    \(events.map { $0.metadataJSON ?? "" })::text[], \(events.map { $0.idempotencyKey ?? "" })::text[],
                    \(events.map(\.createdAt.millisecondsSinceEpoch))::bigint[]
                ) AS v(stream_id, "offset", position, type, payload, metadata, key, created_at)
            ), moved_head AS (
                UPDATE spool_head SET position = \(last)
            )
            SELECT pg_notify(\(PostgresFeedFollower.channel), \(String(last)))
            """, logger: logger)
    }
}
