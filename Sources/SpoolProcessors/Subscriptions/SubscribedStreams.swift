import SpoolCore
import SpoolStore
import Synchronization

/// Which streams the `subscriptions` processor wants events of: those that ever had a
/// subscription configured (a removed one included: wanting too much costs a little, too
/// little loses deliveries), plus every subscription configuration or removal.
///
/// Learnt from the whole store when the processor starts, then from the configurations it
/// is asked about as they are published.
final class SubscribedStreams: PreparedInterest {
    private struct State {
        var prepared = false
        var paths: Set<StreamPath> = []
    }

    private let state = Mutex(State())

    /// How many events one read of the store fetches while preparing.
    static let pageSize = 10_000

    func isInterested(in event: Event) -> Bool {
        switch event.type {
        case SubscriptionState.configuredType:
            state.withLock { _ = $0.paths.insert(event.streamPath) }
            return true
        case SubscriptionState.removedType:
            return true
        default:
            return state.withLock { !$0.prepared || $0.paths.contains(event.streamPath) }
        }
    }

    func beginPreparing() {
        state.withLock { $0.prepared = false }
    }

    /// Reads the store through its head, noting every stream with a subscription configured.
    func prepare(reading store: any EventStore) async throws {
        let head = try await store.headPosition()
        var cursor = 0
        while cursor < head {
            try Task.checkCancellation()
            let page = try await store.readFeed(prefix: .root, after: cursor, limit: Self.pageSize)
            guard let last = page.last else { break }
            let configured = page.filter { $0.type == SubscriptionState.configuredType }.map(\.streamPath)
            if !configured.isEmpty { state.withLock { $0.paths.formUnion(configured) } }
            cursor = last.position
        }
        state.withLock { $0.prepared = true }
    }
}
