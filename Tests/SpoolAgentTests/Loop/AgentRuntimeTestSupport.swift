import Logging
import ServiceLifecycle
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting

@testable import SpoolAgent

/// The agent processor and its runtime over a SQLite store in `directory`, for the length of `body`.
func withAgentRuntime(
    providers: ProviderRegistry, directory: String = TestServer.temporaryDirectory(),
    _ body: (AgentRuntime, SQLiteEventStore) async throws -> Void
) async throws {
    let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
    let store = try SQLiteEventStore(directory: directory, logger: logger)
    let queue = AgentJobQueue()
    let agent = AgentProcessor(queue: queue, toolbox: .builtIn)
    let host = ProcessorHost(store: store, processors: [agent], logger: logger)
    let runtime = AgentRuntime(
        queue: queue, processor: agent, host: host, store: store, providers: providers, toolbox: .builtIn, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [store, host, runtime], gracefulShutdownSignals: [], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body(runtime, store)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// The same, with providers configured by `environment`.
func withAgentRuntime(
    environment: [String: String], directory: String = TestServer.temporaryDirectory(),
    _ body: (AgentRuntime, SQLiteEventStore) async throws -> Void
) async throws {
    try await withAgentRuntime(providers: ProviderRegistry(environment: environment), directory: directory, body)
}

/// The longest a test waits for what takes a second or two alone: under the whole suite's load
/// the concurrency pool can be busy for seconds. The stalled fake provider holds its connection
/// open until the client hangs up, so where a fix is missing such a wait runs out.
let stallPatience = Duration.seconds(30)

/// The events of `type` in the stream at `path`.
func events(_ store: SQLiteEventStore, _ path: StreamPath, ofType type: String) async throws -> [Event] {
    try await store.read(path, after: 0, limit: 10_000).filter { $0.type == type }
}

extension AgentRuntime {
    /// Whether the runtime resumed the interrupted turns of its first run: from then on it leaves a test's turns alone.
    var resumedAtStart: Bool { resumedRun.withLock { $0 } != nil }
}
