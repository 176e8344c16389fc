import Logging
import SpoolCore
import SpoolPostgres
import SpoolStore
import SpoolTesting
import Synchronization

/// A store implementation the shared suite runs against, on fresh storage per test.
enum StoreBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// SQLite always; PostgreSQL when a server is configured or required
    /// (`make test` requires one, so there it fails rather than being left out).
    static var enabled: [StoreBackend] {
        PostgresTestDatabase.isEnabled ? [.sqlite, .postgres] : [.sqlite]
    }

    static let logger = Logger(label: "spool.tests.store") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `body` with the conformance checks of this backend on fresh, empty
    /// storage, closing every store they opened afterwards.
    func check(_ body: (StoreConformance) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            try await withTemporaryDirectory { directory in try await body(SQLiteEventStoreTests.conformance(directory: directory)) }
        case .postgres:
            try await PostgresTestDatabase.with { database in
                let running = RunningStores()
                do {
                    try await body(running.conformance(url: database.url))
                    await running.closeAll()
                } catch {
                    await running.closeAll()
                    throw error
                }
            }
        }
    }
}

/// PostgreSQL stores a test opened, each running as a service until closed.
final class RunningStores: Sendable {
    private let tasks = Mutex<[ObjectIdentifier: Task<Void, Never>]>([:])

    func conformance(url: String) -> StoreConformance {
        StoreConformance(
            open: { live in try await self.open(url: url, live: live) },
            close: { store in await self.close(store) })
    }

    /// Opens a store and runs it until `close`; returns once its schema is ready.
    func open(
        url: String, live: LiveHub, adjust: (inout PostgresStoreConfiguration) -> Void = { _ in }
    ) async throws -> PostgresEventStore {
        var configuration = try PostgresStoreConfiguration(url: url)
        adjust(&configuration)
        let store = PostgresEventStore(configuration: configuration, logger: StoreBackend.logger, live: live)
        let task = Task { _ = try? await store.run() }
        tasks.withLock { $0[ObjectIdentifier(store)] = task }
        // A loaded machine (the whole suite in parallel) may take longer than one request timeout.
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                try await store.checkHealth()
                return store
            } catch let error as SpoolError where error.code == .unavailable && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Stops a store the way shutdown does: its `run()` ends when cancelled.
    func close(_ store: any EventStore) async {
        guard let task = tasks.withLock({ $0.removeValue(forKey: ObjectIdentifier(store as AnyObject)) }) else { return }
        task.cancel()
        await task.value
    }

    func closeAll() async {
        let all = tasks.withLock { tasks in
            defer { tasks = [:] }
            return Array(tasks.values)
        }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }
}
