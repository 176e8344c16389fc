/// Adopted by processors that fold and react to only some events (by type or
/// metadata) although they follow every stream: the runtime hands them only
/// those, plus the pause events it tracks itself, so a busy stream of other
/// events costs them nothing. Their `reduce` must leave the state as it is
/// for every other event.
public protocol EventInterest: Sendable {
    /// Whether `reduce` or `afterAppend` does anything with `event`.
    func isInterested(in event: Event) -> Bool
}
