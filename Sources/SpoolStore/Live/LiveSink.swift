import SpoolCore

/// Takes a caught-up live reader's events straight from the publisher.
///
/// A live read normally wakes its task for every delivery. With a thousand
/// readers of one stream that is a thousand task switches per event; a sink
/// (a connection's writer, say) takes the events on the publishing thread
/// instead and writes them itself. `LiveTail` attaches it once the read has
/// caught up and detaches it when the read ends or falls behind, so events
/// still arrive exactly once and in order.
public protocol LiveSink: AnyObject, Sendable {
    /// Starts taking events that follow `cursor` (an offset or position, as the read counts).
    /// - Parameter fallingBehind: for the sink to call (once) when it cannot keep up, say
    ///   because its client reads too slowly; the read then catches up from the store.
    /// - Returns: whether the sink can take events now; `false` keeps the read on its task.
    func start(after cursor: Int, fallingBehind: @escaping @Sendable () -> Void) -> Bool

    /// Events committed since the last call, in commit order. Called on the publishing
    /// thread, outside the hub's locks: it must not block. `events` may repeat ones at or
    /// before the cursor (history and live overlap), which the sink skips.
    func receive(_ events: [Event])

    /// Stops for good: nothing is written after this returns.
    /// - Returns: the cursor of the last event the sink wrote.
    func stop() async -> Int
}
