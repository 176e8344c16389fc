/// Adopted by processors whose state must be durable as soon as certain events
/// are handled (not only every so many events): the runtime then saves the
/// stream's snapshot together with the checkpoint that covers the event.
public protocol SnapshotPolicy: Sendable {
    /// Whether the state after `event` must be snapshotted right away.
    func snapshotsImmediately(after event: Event) -> Bool
}
