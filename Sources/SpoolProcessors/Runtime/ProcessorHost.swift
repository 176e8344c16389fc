import Logging
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// Runs processors inside the server, as one Service.
///
/// ```swift
/// let host = ProcessorHost(store: store, processors: [CircuitBreaker(), Counter()], logger: logger)
/// // add `host` to the ServiceGroup after the store
/// ```
public final class ProcessorHost: Service {
    let store: any EventStore & ProcessorStateStore
    let runners: [any ProcessorRunning]
    let logger: Logger

    public init(
        store: any EventStore & ProcessorStateStore, processors: [any StreamProcessor], logger: Logger,
        configuration: ProcessorHostConfiguration = ProcessorHostConfiguration()
    ) {
        self.store = store
        self.logger = logger
        runners = processors.map { Self.makeRunner($0, store: store, configuration: configuration, logger: logger) }
    }

    private static func makeRunner<P: StreamProcessor>(
        _ processor: P, store: any EventStore & ProcessorStateStore, configuration: ProcessorHostConfiguration, logger: Logger
    ) -> any ProcessorRunning {
        ProcessorRunner(processor: processor, store: store, configuration: configuration, logger: logger)
    }

    /// The processors' names.
    public var processorNames: [String] { runners.map(\.name) }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { try await runner.run() }
            }
            // A host without processors still lives until shutdown, as services must.
            group.addTask { try? await gracefulShutdown() }
            try await group.waitForAll()
        }
    }

    /// A processor's state of a stream at its head, or as of `offset` (time travel).
    public func state(processor name: String, stream: StreamPath, at offset: Int? = nil) async throws -> (offset: Int, state: JSONValue) {
        guard let runner = runners.first(where: { $0.name == name }) else {
            throw SpoolError(.notFound, "no processor named '\(name)'; running: \(processorNames.joined(separator: ", "))")
        }
        return try await runner.state(of: stream, at: offset)
    }

    /// The last snapshotted state of every stream of `processor` (which must be running in this host).
    public func snapshotStates<P: StreamProcessor>(of processor: P) async throws -> [StreamPath: P.State] {
        guard let runner = runners.first(where: { $0.name == processor.name }) as? ProcessorRunner<P> else {
            throw SpoolError(.notFound, "no processor named '\(processor.name)' of that type")
        }
        return try await runner.snapshotStates()
    }

    /// Each processor's checkpoint, lag and failures.
    public func statuses() async throws -> [ProcessorStatus] {
        let head = try await store.headPosition()
        var statuses: [ProcessorStatus] = []
        for runner in runners { statuses.append(try await runner.status(headPosition: head)) }
        return statuses
    }
}
