/// The feed position below which every event has been handled.
///
/// Events are dispatched in position order but finish out of order (streams run
/// concurrently); the checkpoint may only move past a position once everything
/// before it is done. Pure.
public struct WatermarkTracker: Sendable, Equatable {
    /// Every position up to and including this one is handled.
    public private(set) var safePosition: Int
    private var pending: [Int] = []
    private var head = 0
    private var done: Set<Int> = []

    public init(start: Int) { safePosition = start }

    /// An event at `position` was handed to a processor.
    public mutating func dispatched(_ position: Int) {
        pending.append(position)
    }

    /// An event at `position` needs no handling (not followed by this processor).
    public mutating func skipped(_ position: Int) {
        if head == pending.count {
            safePosition = max(safePosition, position)
        } else {
            pending.append(position)
            done.insert(position)
        }
    }

    /// Nothing this processor follows was published up to `position` beyond what it was handed
    /// (its feed is idle): positions through `position` need no handling. A position not past
    /// every one seen already says nothing new.
    public mutating func passed(through position: Int) {
        guard position > max(safePosition, pending.last ?? 0) else { return }
        skipped(position)
    }

    /// The event at `position` is handled.
    public mutating func completed(_ position: Int) {
        if head < pending.count, pending[head] == position {
            // The oldest in flight finished first, as it mostly does: no set to touch.
            safePosition = position
            head += 1
        } else {
            done.insert(position)
        }
        while head < pending.count, !done.isEmpty, done.remove(pending[head]) != nil {
            safePosition = pending[head]
            head += 1
        }
        if head > 1024, head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }

    /// How many dispatched events are not handled yet.
    public var inFlight: Int { pending.count - head - done.count }
}
