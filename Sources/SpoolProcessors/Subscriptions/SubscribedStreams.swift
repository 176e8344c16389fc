import SpoolCore
import SpoolStore
import Synchronization

/// Which streams the `subscriptions` processor wants events of: those that ever had a
/// subscription configured (a removed one included: wanting too much costs a little, too
/// little loses deliveries), plus every subscription configuration or removal.
///
/// Learnt from the store's configurations when the processor starts (system events are
/// indexed by type, so this reads those, not the store), then from the configurations it is
/// asked about as they are published.
final class SubscribedStreams: PreparedInterest {
    private struct State {
        var prepared = false
        var paths: Set<StreamPath> = []
    }

    private let state = Mutex(State())

    /// How many configurations one read of the store fetches while preparing.
    static let pageSize = 1_000

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

    /// Reads every subscription configuration stored, noting its stream.
    func prepare(reading store: any EventStore) async throws {
        var cursor = 0
        while true {
            try Task.checkCancellation()
            let page = try await store.readSystemEvents(ofType: SubscriptionState.configuredType, after: cursor, limit: Self.pageSize)
            guard let last = page.last else { break }
            state.withLock { $0.paths.formUnion(page.map(\.streamPath)) }
            cursor = last.position
        }
        state.withLock { $0.prepared = true }
    }
}
