import PostgresNIO
import SpoolStore

/// Leases live in `spool_leases`, with the database's clock deciding expiry, so
/// nodes whose clocks disagree still agree on who holds a lease.
extension PostgresEventStore: ProcessorLeaseStore {
    public func acquireLease(_ name: String, holder: String, duration: Duration) async throws -> Bool {
        let milliseconds = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        return try await !rows(
            """
            INSERT INTO spool_leases (name, holder, expires_at)
            VALUES (\(name), \(holder), clock_timestamp() + \(milliseconds) * interval '1 millisecond')
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE spool_leases.holder = excluded.holder OR spool_leases.expires_at < clock_timestamp()
            RETURNING holder
            """
        ).isEmpty
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        _ = try await rows("DELETE FROM spool_leases WHERE name = \(name) AND holder = \(holder) RETURNING name")
    }
}
