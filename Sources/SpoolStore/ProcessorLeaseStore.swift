/// Leases that let one node of several run a processor: a store shared by
/// nodes (PostgreSQL) adopts it; a store of one node (SQLite) does not need it.
public protocol ProcessorLeaseStore: Sendable {
    /// Takes the lease `name` for `holder`, or renews it if `holder` has it, for
    /// `duration` from now by the store's clock.
    /// - Returns: whether `holder` holds the lease now (false while another holder's lease runs).
    func acquireLease(_ name: String, holder: String, duration: Duration) async throws -> Bool

    /// Gives the lease up, so another node takes over at once; does nothing unless `holder` has it.
    func releaseLease(_ name: String, holder: String) async throws
}
