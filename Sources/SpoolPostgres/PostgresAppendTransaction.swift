import Logging
import PostgresNIO
import SpoolCore
import SpoolStore

/// Commits the appends of one group-commit batch to PostgreSQL.
///
/// **Ordering across nodes.** A naive `BIGSERIAL` position would let a reader
/// see position 11 committed while 10 is still in flight, and skip 10 for good.
/// Instead every append locks the single row of `spool_head` and assigns
/// positions after the head it holds. The next append, on this node or any
/// other, can read the head only after this one has committed or rolled back,
/// so positions become visible strictly in order and stay gapless: a feed reader
/// that has seen position N knows that N + 1 is the next event to become visible.
///
/// **Few round trips, none under the lock.** The lock serialises every node's
/// commits, so what happens while it is held bounds the cluster's throughput.
/// The batch is planned in memory (`AppendPlan`) from stream rows read without
/// any lock; then one call of `spool_append_planned` (see `PostgresSchema`)
/// locks the head, moves each stream only from the head the plan saw, writes
/// every event and notifies the other nodes (with the events, when they fit in
/// a notification: `CommitNotice`), committing in the same round trip.
/// If a stream moved meanwhile (another node appended to it), nothing is written
/// and the batch is planned again; its last attempt (`attempts`) takes the lock
/// first, in a transaction, so that plan cannot go stale.
///
/// A node remembers the rows of the streams it appended to (`StreamRowCache`), so
/// a batch to those streams skips reading them: the compare and set catches an
/// entry another node made stale.
///
/// A refused request contributes no rows, while the others in the batch go ahead.
struct PostgresAppendTransaction {
    /// A stream as the plan sees it.
    private struct StreamState {
        var id: Int?
        var head: Int
        var paused: Bool
        /// Events with idempotency keys that requests of this batch may replay.
        var keyed: [ExactText: Event] = [:]
    }

    /// A stream the batch writes to: where it was, and where the batch leaves it.
    private struct StreamMove {
        var path: StreamPath
        var existed: Bool
        var headBefore: Int
        var pausedBefore: Bool
        var headAfter: Int
        var pausedAfter: Bool

        init(path: StreamPath, existed: Bool, before stream: StreamState) {
            self.path = path
            self.existed = existed
            (headBefore, pausedBefore) = (stream.head, stream.paused)
            (headAfter, pausedAfter) = (stream.head, stream.paused)
        }

        mutating func moveTo(head: Int, paused: Bool) {
            (headAfter, pausedAfter) = (head, paused)
        }
    }

    /// How many times a batch may be planned: each time without the lock but the last.
    static let attempts = 3

    let connection: PostgresConnection
    /// This node's rows of the streams it appended to.
    let cache: StreamRowCache
    let logger: Logger

    /// Appends every request, returning each one's outcome and the events stored, in position order.
    func commit(_ requests: [PendingAppends.Request]) async throws -> (outcomes: [Result<AppendResult, SpoolError>], stored: [Event]) {
        for attempt in 1..<Self.attempts {
            do {
                return try await planAndApply(requests, trustingCache: attempt == 1)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == Self.serializationFailure {
                cache.forget(requests.map(\.path))
                logger.debug("a stream moved while the append was planned; planning again")
            }
        }
        return try await connection.withTransaction(logger: logger) { connection in
            let locked = PostgresAppendTransaction(connection: connection, cache: cache, logger: logger)
            try await connection.run("SELECT position FROM spool_head FOR UPDATE", logger: logger)
            return try await locked.planAndApply(requests, trustingCache: false)
        }
    }

    /// SQLSTATE `serialization_failure`, which `spool_append_planned` raises when a stream moved.
    private static let serializationFailure = "40001"

    /// Plans every request from the streams' rows and applies the plan in one statement.
    /// - Parameter trustingCache: whether rows this node remembers may stand in for reading
    ///   them (for batches without idempotency keys, whose replays need the stored events).
    private func planAndApply(
        _ requests: [PendingAppends.Request], trustingCache: Bool
    ) async throws -> (outcomes: [Result<AppendResult, SpoolError>], stored: [Event]) {
        let paths = Set(requests.map(\.path))
        var streams: [StreamPath: StreamState]
        let keyless = !requests.contains { $0.inputs.contains { $0.idempotencyKey != nil } }
        let remembered = trustingCache && keyless ? cache.rows(of: paths) : nil
        if let remembered {
            streams = remembered.mapValues { StreamState(id: $0.id, head: $0.head, paused: $0.paused) }
        } else {
            streams = try await loadStreams(paths)
            try await loadKeyedEvents(requests, into: &streams)
        }
        let now = Timestamp.now()
        // Positions are known only once the head is locked: plan with positions from 1, apply
        // (which numbers the rows itself), then place the new events after the head it followed.
        let draft = try Self.plan(requests, streams: streams, now: now)
        // A request is refused for what the rows say now, never for what this node remembers.
        if remembered != nil, draft.outcomes.contains(where: { if case .failure = $0 { true } else { false } }) {
            return try await planAndApply(requests, trustingCache: false)
        }
        guard !draft.stored.isEmpty else { return (draft.outcomes, []) }
        let headBefore = try await apply(draft.stored, moves: draft.moves, now: now)
        remember(draft.moves, streams: streams)
        // An answer past its stream's head as planned is new; one at or below it is a replay,
        // whose position is the stored one.
        func placed(_ event: Event) -> Event {
            guard event.offset > streams[event.streamPath]?.head ?? 0 else { return event }
            var event = event
            event.position += headBefore
            return event
        }
        let outcomes = draft.outcomes.map { outcome in
            outcome.map { AppendResult(events: $0.events.map(placed), storedCount: $0.storedCount) }
        }
        return (outcomes, draft.stored.map(placed))
    }

    /// Remembers the streams as the batch left them; streams it created are read next time
    /// (their ids are the database's). Under the lock this runs before `COMMIT`: should that
    /// fail, the entries are stale, which the compare and set catches like any other.
    private func remember(_ moves: [StreamMove], streams: [StreamPath: StreamState]) {
        var rows: [StreamPath: StreamRowCache.Row] = [:]
        for move in moves {
            guard let id = streams[move.path]?.id else { continue }
            rows[move.path] = StreamRowCache.Row(id: id, head: move.headAfter, paused: move.pausedAfter)
        }
        cache.remember(rows)
    }

    /// What the batch does to streams as `streams` describes them: each request's outcome,
    /// the events to store (positions numbered from 1 within the batch), and how each stream moves.
    private static func plan(
        _ requests: [PendingAppends.Request], streams: [StreamPath: StreamState], now: Timestamp
    ) throws -> (outcomes: [Result<AppendResult, SpoolError>], stored: [Event], moves: [StreamMove]) {
        var streams = streams
        var moves: [StreamPath: StreamMove] = [:]
        var nextPosition = 1
        var stored: [Event] = []
        var outcomes: [Result<AppendResult, SpoolError>] = []
        outcomes.reserveCapacity(requests.count)
        for request in requests {
            var stream = streams[request.path] ?? StreamState(id: nil, head: 0, paused: false)
            do {
                let plan = try AppendPlan(request.inputs, to: request.path, head: stream.head, paused: stream.paused) {
                    stream.keyed[ExactText($0)]
                }
                let (new, answer) = plan.events(path: request.path, firstPosition: nextPosition, now: now)
                if !new.isEmpty {
                    nextPosition += new.count
                    moves[request.path, default: StreamMove(path: request.path, existed: stream.id != nil, before: stream)]
                        .moveTo(head: plan.headAfter, paused: plan.pausedAfter)
                    stream.head = plan.headAfter
                    stream.paused = plan.pausedAfter
                    for event in new { if let key = event.idempotencyKey { stream.keyed[ExactText(key)] = event } }
                    streams[request.path] = stream
                    stored += new
                }
                outcomes.append(.success(AppendResult(events: answer, storedCount: new.count)))
            } catch let error as SpoolError {
                outcomes.append(.failure(error))
            }
        }
        return (outcomes, stored, Array(moves.values))
    }

    /// Writes `events` and moves `moves`' streams in one statement (which commits, unless
    /// a transaction is open). Returns the store's head position before the batch.
    /// - Throws: `serialization_failure` when a stream is no longer where the plan saw it.
    private func apply(_ events: [Event], moves: [StreamMove], now: Timestamp) async throws -> Int {
        // Each event names its stream by its place among the moves (from 1), as the function takes it.
        var streamIndex: [StreamPath: Int32] = [:]
        for (index, move) in moves.enumerated() { streamIndex[move.path] = Int32(index + 1) }
        let rows = try await connection.query(
            """
            SELECT spool_append_planned(
                \(moves.map(\.path.rawValue)), \(moves.map(\.existed)), \(moves.map(\.headBefore)), \(moves.map(\.headAfter)),
                \(moves.map(\.pausedBefore)), \(moves.map(\.pausedAfter)),
                \(events.map { streamIndex[$0.streamPath] ?? 0 }), \(events.map(\.offset)), \(events.map(\.type)), \(events.map(\.payloadJSON)),
                \(events.map { $0.metadataJSON ?? "" }), \(events.map { $0.idempotencyKey ?? "" }),
                \(now.millisecondsSinceEpoch), \(PostgresFeedFollower.channel), \(CommitNotice.encode(events)))
            """, logger: logger
        ).collect()
        guard let headBefore = try rows.first?.decode(Int.self) else {
            throw SpoolError(.internalError, "spool_append_planned answered no row; the schema is damaged")
        }
        return headBefore
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
            var cells = row.makeIterator()
            guard let path = paths[try cells.nextInt()] else { continue }
            let event = try cells.event(path: path)
            if let key = event.idempotencyKey { streams[path]?.keyed[ExactText(key)] = event }
        }
    }
}
