import SpoolCore
import SpoolStore

/// An `EventInterest` that learns from the store which events it wants (the streams that
/// have subscriptions, say) and from then on from the events it is asked about, in feed
/// order: the hub asks it about every published event, before any reader sees one.
///
/// The runner calls `beginPreparing()` before it subscribes to the feed and `prepare(reading:)`
/// after; in between, and until `prepare` returns, the interest wants every event, so
/// nothing published while it reads is lost.
protocol PreparedInterest: EventInterest {
    /// Wants every event again, until the next `prepare` returns.
    func beginPreparing()
    /// Reads what it needs of `store`; then answers for itself.
    func prepare(reading store: any EventStore) async throws
}
