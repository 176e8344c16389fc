import Foundation
import Logging
import ServiceLifecycle
import SpoolCore
import SpoolStore
import Synchronization

/// Runs processors inside the server, as one Service.
///
/// On a store shared by several nodes (a `ProcessorLeaseStore`), each processor
/// runs on one node at a time, the holder of its lease (see `ProcessorLease`).
///
/// ```swift
/// let host = ProcessorHost(store: store, processors: [CircuitBreaker(), Counter()], logger: logger)
/// // add `host` to the ServiceGroup after the store
/// host.add(AnotherProcessor())   // while it runs, e.g. a dynamic worker
/// host.remove(key: "another")
/// ```
public final class ProcessorHost: Service {
    let store: any EventStore & ProcessorStateStore
    let fixedRunners: [any ProcessorRunning]
    let logger: Logger
    public let configuration: ProcessorHostConfiguration
    /// Processors added while the host runs, by key (their name unless `add` was given one).
    private let added = Mutex<[String: any ProcessorRunning]>([:])
    private let starts = AsyncStream<any ProcessorRunning>.makeStream()
    /// Names this node as a lease holder.
    let nodeID = "node-" + UUID().uuidString
    /// Which processors run here now (on a shared store, those whose lease this node holds).
    private let residency = ProcessorResidency()

    /// Every running processor: those given at start, then those added since.
    var runners: [any ProcessorRunning] {
        fixedRunners + added.withLock { added in added.values.sorted { $0.name < $1.name } }
    }

    public init(
        store: any EventStore & ProcessorStateStore, processors: [any StreamProcessor], logger: Logger,
        configuration: ProcessorHostConfiguration = ProcessorHostConfiguration()
    ) {
        self.store = store
        self.logger = logger
        self.configuration = configuration
        fixedRunners = processors.map { Self.makeRunner($0, store: store, configuration: configuration, logger: logger) }
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
            for runner in fixedRunners {
                group.addTask { try await self.runExclusively(runner) }
            }
            // A host without processors still lives until shutdown, as services must.
            let starts = self.starts
            group.addTask {
                try? await gracefulShutdown()
                starts.continuation.finish()
            }
            for await runner in starts.stream {
                let logger = logger
                group.addTask {
                    do {
                        try await self.runExclusively(runner)
                    } catch is CancellationError {
                    } catch {
                        // An added processor failing must not take the host (and the server) down.
                        logger.error("added processor stopped", metadata: ["spool.processor": "\(runner.name)", "spool.error": "\(error)"])
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Runs `runner` here, or with a shared store only while this node holds its lease.
    private func runExclusively(_ runner: any ProcessorRunning) async throws {
        let residency = self.residency
        guard let leases = store as? any ProcessorLeaseStore else {
            return try await residency.running(runner.name) { try await runner.run() }
        }
        let lease = ProcessorLease(
            name: ProcessorCheckpoint.consumer(of: runner.storageName), holder: nodeID, leases: leases, duration: configuration.leaseDuration,
            logger: logger)
        try await lease.whileHeld { try await residency.running(runner.name) { try await runner.run() } }
    }

    /// Starts `processor` while the host runs, replacing (stopping) a processor added before under the same key.
    /// Processors given at `init` cannot be replaced.
    /// - Parameter key: identifies the processor for `remove`; its name by default. Processors with
    ///   different keys may share a name when they follow different streams (workers of different streams).
    public func add(_ processor: any StreamProcessor, key: String? = nil) {
        guard !fixedRunners.contains(where: { $0.name == processor.name }) else {
            logger.warning("not replacing a built-in processor", metadata: ["spool.processor": "\(processor.name)"])
            return
        }
        let runner = Self.makeRunner(processor, store: store, configuration: configuration, logger: logger)
        let key = key ?? processor.name
        let previous = added.withLock { added in
            defer { added[key] = runner }
            return added[key]
        }
        previous?.stop()
        if case .terminated = starts.continuation.yield(runner) { runner.stop() }
    }

    /// Stops a processor added with `add(_:key:)`; its progress is saved. Returns whether one was running.
    @discardableResult
    public func remove(key: String) -> Bool {
        let runner = added.withLock { $0.removeValue(forKey: key) }
        runner?.stop()
        return runner != nil
    }

    /// Whether a processor of that name runs (given at start or added).
    public func isRunning(_ name: String) -> Bool {
        runners.contains { $0.name == name }
    }

    /// Whether the processor `name` runs on this node now. On a store shared by several
    /// nodes, each processor runs on one node at a time: the one holding its lease.
    public func runsHere(_ name: String) -> Bool {
        residency.currentRun(of: name) != nil
    }

    /// Identifies the processor's current run on this node; `nil` while it does not run here.
    /// Each start here (a takeover after another node had it) gets a new number, so a
    /// service acting for the processor sees the takeover even if it missed the gap.
    public func currentRun(of name: String) -> Int? {
        residency.currentRun(of: name)
    }

    /// Waits until the processor `name`, in its run `run` here, has handled every event through
    /// the feed position `position` and saved that progress (its checkpoint and the snapshots of
    /// what it handled). A service acting for a processor that just started here waits so for
    /// the store's head as it was at the start: the run has then caught up with what happened
    /// before it, and its reactions to those events have been made.
    ///
    /// ```swift
    /// if let run = host.currentRun(of: "agent"),
    ///     try await host.waitUntilHandled("agent", through: try await store.headPosition(), inRun: run) { … }
    /// ```
    /// - Returns: `true` once it has; `false` if the run ended first (on a store shared by
    ///   several nodes, the processor went to another node).
    public func waitUntilHandled(_ name: String, through position: Int, inRun run: Int) async throws -> Bool {
        while currentRun(of: name) == run {
            // A saved checkpoint never runs ahead of what is handled, whichever run saved it.
            if let runner = runners.first(where: { $0.name == name }), runner.savedCheckpoint >= position { return true }
            try await Task.sleep(for: Self.progressPollInterval)
        }
        return false
    }

    /// How often `waitUntilHandled` looks at a processor's progress (saved every `flushInterval`).
    static let progressPollInterval = Duration.milliseconds(50)

    /// Runs `body` unless the processor `name` runs here, with no run of it starting
    /// meanwhile: to drop what a processor kept current once it has left this node,
    /// without dropping what a new run already added.
    /// - Returns: whether `body` ran.
    @discardableResult
    public func unlessRunningHere(_ name: String, _ body: () -> Void) -> Bool {
        residency.unlessRunning(name, body)
    }

    /// A processor's state of a stream at its head, or as of `offset` (time travel).
    public func state(processor name: String, stream: StreamPath, at offset: Int? = nil) async throws -> (offset: Int, state: JSONValue) {
        let named = runners.filter { $0.name == name }
        guard let runner = named.first(where: { $0.streams.matches(stream) }) ?? named.first else {
            throw SpoolError(.notFound, "no processor named '\(name)'; running: \(processorNames.joined(separator: ", "))")
        }
        return try await runner.state(of: stream, at: offset)
    }

    /// The last snapshotted state of every stream of `processor` (which must be running in this host).
    public func snapshotStates<P: StreamProcessor>(of processor: P) async throws -> [StreamPath: P.State] {
        try await snapshots(of: processor).mapValues(\.state)
    }

    /// The last snapshot of every stream of `processor` (which must be running in this host):
    /// each state with the stream offset it is the state as of.
    public func snapshots<P: StreamProcessor>(of processor: P) async throws -> [StreamPath: (offset: Int, state: P.State)] {
        guard let runner = runners.first(where: { $0.name == processor.name }) as? ProcessorRunner<P> else {
            throw SpoolError(.notFound, "no processor named '\(processor.name)' of that type")
        }
        return try await runner.snapshots()
    }

    /// Each processor's checkpoint, lag and failures, and whether it runs on this node.
    public func statuses() async throws -> [ProcessorStatus] {
        let head = try await store.headPosition()
        var statuses: [ProcessorStatus] = []
        for runner in runners {
            statuses.append(try await runner.status(headPosition: head, runsHere: runsHere(runner.name)))
        }
        return statuses
    }
}
