import SpoolCore
import Synchronization

/// The rows of the streams this node appended to, as its last batches left them,
/// so the next batch to them is planned without reading them first: one round
/// trip less per batch.
///
/// Another node appending to such a stream makes its entry stale. Nothing is
/// lost by that: `spool_append_planned` moves a stream only from the head the
/// plan saw, so it refuses the stale plan, the batch drops the entries and reads
/// the rows (see `PostgresAppendTransaction`).
final class StreamRowCache: Sendable {
    struct Row: Sendable {
        var id: Int
        var head: Int
        var paused: Bool
    }

    /// At most this many streams are remembered; past it, the cache starts over.
    static let capacity = 10_000

    private let rows = Mutex<[StreamPath: Row]>([:])

    /// The row of every stream of `paths`, or `nil` unless all are remembered.
    func rows(of paths: Set<StreamPath>) -> [StreamPath: Row]? {
        rows.withLock { rows in
            var found: [StreamPath: Row] = [:]
            for path in paths {
                guard let row = rows[path] else { return nil }
                found[path] = row
            }
            return found
        }
    }

    /// Remembers rows as a committed batch left them.
    func remember(_ new: [StreamPath: Row]) {
        rows.withLock { rows in
            if rows.count + new.count > Self.capacity { rows.removeAll(keepingCapacity: true) }
            rows.merge(new) { $1 }
        }
    }

    func forget(_ paths: some Sequence<StreamPath>) {
        rows.withLock { rows in
            for path in paths { rows[path] = nil }
        }
    }
}
