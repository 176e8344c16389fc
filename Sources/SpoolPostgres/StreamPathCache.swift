import SpoolCore
import Synchronization

/// Stream paths by row id, so the whole feed is read without joining
/// `spool_streams` for every event and without decoding a path per event.
///
/// A stream's id and path never change once it exists, so an entry never goes
/// stale; the cache only starts over when it grows past its capacity.
final class StreamPathCache: Sendable {
    /// At most this many paths are remembered; past it, the cache starts over.
    static let capacity = 65_536

    private let paths = Mutex<[Int64: StreamPath]>([:])

    /// The paths of `ids` that are remembered.
    func paths(of ids: some Sequence<Int64>) -> [Int64: StreamPath] {
        paths.withLock { paths in
            var found: [Int64: StreamPath] = [:]
            for id in ids { if let path = paths[id] { found[id] = path } }
            return found
        }
    }

    func remember(_ found: [Int64: StreamPath]) {
        paths.withLock { paths in
            if paths.count + found.count > Self.capacity { paths.removeAll(keepingCapacity: true) }
            paths.merge(found) { _, new in new }
        }
    }
}
