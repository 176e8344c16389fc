import Logging
import SpoolCore
import SpoolJS
import Synchronization

/// Starts, replaces and stops the `worker:NAME` processors in a processor host.
/// Deploying is idempotent per source version, so the `workers` processor
/// replaying its events and `WorkersService` restoring at start agree.
public final class WorkerManager: Sendable {
    let limits: WorkerLimits
    let logger: Logger
    private let state = Mutex(Registry())

    struct Registry {
        var host: ProcessorHost?
        /// The current version of each worker, by identity (stream and name).
        var current: [String: WorkerSpec] = [:]
        /// Failures in a row, by version (`storageName`).
        var failures: [String: Int] = [:]
        /// Where a version saw itself reconfigured, by version (`storageName`).
        var superseded: [String: Int] = [:]
        /// By identity: the versions configured at or before this position were removed or
        /// stopped. A restore from snapshots taken before the removal must not start them again.
        var endedThrough: [String: Int] = [:]

        func hasEnded(_ spec: WorkerSpec) -> Bool {
            endedThrough[spec.identity].map { spec.sourcePosition <= $0 } ?? false
        }
    }

    public init(limits: WorkerLimits = WorkerLimits(), logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// The host the workers run in (it is made after the processors it runs).
    public func attach(_ host: ProcessorHost) {
        state.withLock { $0.host = host }
    }

    /// Starts `spec`, replacing an older version of the same worker; a version
    /// already running (or older than the running one) is left alone.
    /// - Throws: the source's `JSError` or a limit's `SpoolError`; the worker is then not running.
    func deploy(_ spec: WorkerSpec) async throws {
        let settled = state.withLock { registry in
            registry.hasEnded(spec) || registry.current[spec.identity].map { $0.sourcePosition >= spec.sourcePosition } ?? false
        }
        if settled { return }
        let processor: WorkerProcessor
        do {
            processor = try await WorkerProcessor.load(spec, limits: limits, manager: self)
        } catch {
            // The old version stepped aside when it saw this configuration: stop it. The `workers`
            // processor then configures it again, which starts it as a new version.
            stop(identity: spec.identity, upTo: spec.sourcePosition)
            throw error
        }
        let host = state.withLock { registry -> ProcessorHost? in
            if let current = registry.current[spec.identity], current.sourcePosition >= spec.sourcePosition { return nil }
            if registry.hasEnded(spec) { return nil }
            registry.current[spec.identity] = spec
            return registry.host
        }
        guard let host else { return }
        host.add(processor, key: spec.identity)
        logger.info("worker deployed", metadata: ["spool.processor": "\(spec.processorName)", "spool.stream": "\(spec.stream)", "spool.offset": "\(spec.sourceOffset)"])
    }

    /// Stops worker `name` if it was configured on `stream` (by `spool/worker-removed`).
    func remove(name: String, stream: StreamPath, at position: Int) {
        let identity = WorkerSpec.identity(stream: stream, name: name)
        let removed = state.withLock { registry -> Bool in
            registry.endedThrough[identity] = max(registry.endedThrough[identity] ?? position, position)
            guard let current = registry.current[identity], current.sourcePosition < position else { return false }
            registry.current[identity] = nil
            return true
        }
        if removed { _ = state.withLock { $0.host }?.remove(key: identity) }
    }

    /// Stops this version of a worker (too many failures).
    func stop(_ spec: WorkerSpec) {
        stop(identity: spec.identity, upTo: spec.sourcePosition)
    }

    private func stop(identity: String, upTo position: Int) {
        let host = state.withLock { registry -> ProcessorHost? in
            registry.endedThrough[identity] = max(registry.endedThrough[identity] ?? position, position)
            guard let current = registry.current[identity], current.sourcePosition <= position else { return nil }
            registry.current[identity] = nil
            return registry.host
        }
        host?.remove(key: identity)
    }

    /// Stops every worker here and forgets what was removed: the `workers` processor left this
    /// node (on a store shared by several nodes), and workers run where it runs.
    func removeAll() {
        let (host, identities) = state.withLock { registry in
            let identities = Array(registry.current.keys)
            registry.current = [:]
            registry.endedThrough = [:]
            return (registry.host, identities)
        }
        for identity in identities { host?.remove(key: identity) }
    }

    /// Whether `spec` is still the version that should handle the event at `position`.
    func isCurrent(_ spec: WorkerSpec, at position: Int) -> Bool {
        state.withLock { registry in
            if let end = registry.superseded[spec.storageName], position > end { return false }
            return registry.current[spec.identity]?.sourcePosition == spec.sourcePosition
        }
    }

    /// Records that this version saw a newer configuration (or a removal) of its worker at `position`.
    func supersede(_ spec: WorkerSpec, at position: Int) {
        state.withLock { registry in
            let key = spec.storageName
            registry.superseded[key] = min(registry.superseded[key] ?? position, position)
        }
    }

    /// Counts a failure; returns how many in a row.
    func failed(_ spec: WorkerSpec) -> Int {
        state.withLock { registry in
            let key = spec.storageName
            registry.failures[key, default: 0] += 1
            return registry.failures[key] ?? 0
        }
    }

    func succeeded(_ spec: WorkerSpec) {
        state.withLock { registry in
            let key = spec.storageName
            if registry.failures[key] != nil { registry.failures[key] = nil }
        }
    }

    /// The running workers' versions (offsets of their configuring events), by identity (`STREAM#NAME`).
    public var running: [String: Int] {
        state.withLock { $0.current.mapValues(\.sourceOffset) }
    }
}
