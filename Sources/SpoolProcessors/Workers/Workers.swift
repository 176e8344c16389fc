import SpoolCore

/// The built-in `workers` processor: folds each stream's worker configuration
/// (`spool/worker-configured`, `spool/worker-removed`, `spool/worker-stopped`)
/// and, after each of those events, starts, replaces or stops the
/// `worker:NAME` processors through its `WorkerManager`.
public struct Workers: StreamProcessor, SnapshotPolicy, EventInterest {
    public struct State: Codable, Sendable {
        /// The workers configured on the stream, by name.
        public var workers: [String: WorkerSpec] = [:]
        /// Why the last configuration event was refused, if it was.
        public var refused: String?
    }

    public let name = "workers"
    public let streams = StreamPattern.all
    public let initialState = State()
    let manager: WorkerManager

    public init(manager: WorkerManager) {
        self.manager = manager
    }

    public func reduce(into state: inout State, event: Event) {
        switch event.type {
        case WorkerSpec.configuredType:
            do {
                let spec = try WorkerSpec(event: event, limits: manager.limits)
                state.workers[spec.name] = spec
                state.refused = nil
            } catch {
                state.refused = error.message
            }
        case WorkerSpec.removedType:
            if let name = event.payload.objectValue?["name"]?.stringValue { state.workers[name] = nil }
        case WorkerSpec.stoppedType:
            let payload = event.payload.objectValue
            if let name = payload?["name"]?.stringValue, let offset = payload?["sourceOffset"]?.intValue,
                state.workers[name]?.sourceOffset == Int(offset)
            {
                state.workers[name] = nil
            }
        default:
            break
        }
    }

    /// Only the worker configuration events.
    public func isInterested(in event: Event) -> Bool {
        event.type == WorkerSpec.configuredType || event.type == WorkerSpec.removedType || event.type == WorkerSpec.stoppedType
    }

    public func snapshotsImmediately(after event: Event) -> Bool { isInterested(in: event) }

    public func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        switch event.type {
        case WorkerSpec.configuredType:
            let name = event.payload.objectValue?["name"]?.stringValue
            if let refused = state.refused {
                try await report(name: name, error: "configuration refused: \(refused)", event: event, context: context)
                return
            }
            guard let name, let spec = state.workers[name], spec.sourceOffset == event.offset else { return }
            do {
                try await manager.deploy(spec)
            } catch {
                try await report(name: name, error: "cannot start: \(error)", event: event, context: context)
            }
        case WorkerSpec.removedType:
            if let name = event.payload.objectValue?["name"]?.stringValue {
                manager.remove(name: name, stream: event.streamPath, at: event.position)
            }
        default:
            break
        }
    }

    private func report(name: String?, error: String, event: Event, context: ProcessorContext) async throws {
        // The configuration that failed is both the event and the version: a worker's own failures carry the two apart.
        let offset = JSONValue.int(Int64(event.offset))
        var payload: JSONObject = ["sourceOffset": offset, "configOffset": offset, "error": .string(error)]
        if let name { payload["name"] = .string(name) }
        try await context.append(AppendInput(type: WorkerSpec.failedType, payload: .object(payload)))
    }
}
