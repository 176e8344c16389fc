import SpoolCore

/// The built-in `workers` processor: folds each stream's worker configuration
/// (`spool/worker-configured`, `spool/worker-removed`, `spool/worker-stopped`, and
/// `spool/worker-failed` for versions that could not start) and, after each
/// configuration event, starts, replaces or stops the `worker:NAME` processors
/// through its `WorkerManager`.
///
/// A new version that is refused or cannot start does not leave its worker dead: the
/// version it was to replace is configured again (`restores` names it) and reacts from
/// the failed configuration on (`startsAfter`), so the stream still says what runs and
/// no event is left to nobody.
public struct Workers: StreamProcessor, SnapshotPolicy, EventInterest {
    public struct State: Codable, Sendable {
        /// The workers configured on the stream, by name: the versions that should run.
        public var workers: [String: WorkerSpec] = [:]
        /// The version each of them replaced, by name, until the new one is known to start or fail.
        public var replaced: [String: WorkerSpec] = [:]
        /// Why the last configuration event was refused, if it was.
        public var refused: String?

        init() {}

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            workers = try container.decode([String: WorkerSpec].self, forKey: .workers)
            // Absent from snapshots taken before versions were restored.
            replaced = try container.decodeIfPresent([String: WorkerSpec].self, forKey: .replaced) ?? [:]
            refused = try container.decodeIfPresent(String.self, forKey: .refused)
        }
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
                state.replaced[spec.name] = state.workers[spec.name]
                state.workers[spec.name] = spec
                state.refused = nil
            } catch {
                state.refused = error.message
            }
        case WorkerSpec.removedType:
            if let name = event.payload.objectValue?["name"]?.stringValue {
                state.workers[name] = nil
                state.replaced[name] = nil
            }
        case WorkerSpec.stoppedType:
            let payload = event.payload.objectValue
            if let name = payload?["name"]?.stringValue, let offset = payload?["sourceOffset"]?.intValue,
                state.workers[name]?.sourceOffset == Int(offset)
            {
                state.workers[name] = nil
            }
        case WorkerSpec.failedType:
            // A version that could not start never ran: it is not what runs, nor what a later one replaces.
            let payload = event.payload.objectValue
            if let name = payload?["name"]?.stringValue, let offset = payload?["configOffset"]?.intValue,
                payload?["sourceOffset"]?.intValue == offset, state.workers[name]?.sourceOffset == Int(offset)
            {
                state.workers[name] = state.replaced[name]
                state.replaced[name] = nil
            }
        default:
            break
        }
    }

    /// Only the worker configuration events, and the failures among which are failed starts.
    public func isInterested(in event: Event) -> Bool {
        event.type == WorkerSpec.configuredType || event.type == WorkerSpec.removedType || event.type == WorkerSpec.stoppedType
            || event.type == WorkerSpec.failedType
    }

    public func snapshotsImmediately(after event: Event) -> Bool { isInterested(in: event) }

    /// Reacts to configuration events only (a failure is folded, not reacted to).
    public func reacts(to event: Event, state: State) -> Bool {
        event.type == WorkerSpec.configuredType || event.type == WorkerSpec.removedType
    }

    public func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        switch event.type {
        case WorkerSpec.configuredType:
            let name = event.payload.objectValue?["name"]?.stringValue
            // A restoring configuration that fails restores nothing in turn.
            let restoring = event.payload.objectValue?["restores"] != nil
            if let refused = state.refused {
                // The running version saw this configuration and stepped aside: configure it again.
                let running = name.flatMap { state.workers[$0] }
                try await report(name: name, error: "configuration refused: \(refused)", restoring: restoring ? nil : running, event: event, context: context)
                return
            }
            guard let name, let spec = state.workers[name], spec.sourceOffset == event.offset else { return }
            do {
                try await manager.deploy(spec)
            } catch {
                try await report(name: name, error: "cannot start: \(error)", restoring: restoring ? nil : state.replaced[name], event: event, context: context)
            }
        case WorkerSpec.removedType:
            if let name = event.payload.objectValue?["name"]?.stringValue {
                manager.remove(name: name, stream: event.streamPath, at: event.position)
            }
        default:
            break
        }
    }

    /// Appends `spool/worker-failed` for the configuration `event`, then configures `restoring` again, if given.
    private func report(name: String?, error: String, restoring: WorkerSpec?, event: Event, context: ProcessorContext) async throws {
        // The configuration that failed is both the event and the version: a worker's own failures carry the two apart.
        let offset = JSONValue.int(Int64(event.offset))
        let note = restoring.map { "; the version configured at offset \($0.sourceOffset) is configured again" } ?? ""
        var payload: JSONObject = ["sourceOffset": offset, "configOffset": offset, "error": .string(error + note)]
        if let name { payload["name"] = .string(name) }
        try await context.append(AppendInput(type: WorkerSpec.failedType, payload: .object(payload)))
        if let restoring {
            try await context.append(AppendInput(type: WorkerSpec.configuredType, payload: restoring.restoringConfiguration(after: event)))
        }
    }
}
