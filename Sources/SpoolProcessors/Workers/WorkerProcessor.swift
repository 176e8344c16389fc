import SpoolCore
import SpoolJS

/// One version of a dynamic worker, run as a processor named `worker:NAME`.
///
/// Its JavaScript runs in its own sandbox on its own serial queue. Each source
/// version keeps its own checkpoint and snapshots (`worker:NAME@POSITION`) and
/// starts after the event that configured it: earlier events are refolded with
/// the new reducer, not reacted to again.
struct WorkerProcessor: StreamProcessor, VersionedProcessor, OffloadedReducing {
    /// The JavaScript state, plus why reducing the last event failed (if it did).
    /// Encoded as the JavaScript state alone: the error is only carried from `reduce` to `afterAppend`.
    struct State: Codable, Sendable {
        var state: JSONValue
        var error: String?

        init(state: JSONValue, error: String? = nil) {
            self.state = state
            self.error = error
        }

        init(from decoder: any Decoder) throws {
            state = try decoder.singleValueContainer().decode(JSONValue.self)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(state)
        }
    }

    let spec: WorkerSpec
    let streams: StreamPattern
    let initialState: State
    let hasAfterAppend: Bool
    let queue: JSSandboxQueue
    let limits: WorkerLimits
    let manager: WorkerManager

    var name: String { spec.processorName }
    var storageName: String { spec.storageName }
    var startPosition: Int { spec.startPosition }

    /// Loads the source. - Throws: `JSError` for syntax errors, a throwing top level or a bad shape.
    static func load(_ spec: WorkerSpec, limits: WorkerLimits, manager: WorkerManager) async throws -> WorkerProcessor {
        let queue = JSSandboxQueue(label: spec.processorName, memoryLimit: limits.maximumMemoryBytes)
        let loaded = try await loadScript(spec.source, into: queue, limits: limits)
        return WorkerProcessor(
            spec: spec, streams: try spec.pattern(), initialState: State(state: loaded.initialState),
            hasAfterAppend: loaded.hasAfterAppend, queue: queue, limits: limits, manager: manager)
    }

    /// Evaluates a worker's source in `queue`'s sandbox and checks its initial state against the limit.
    /// - Throws: `JSError` for syntax errors, a throwing top level or a bad shape; `SpoolError` for a
    ///   too large `initialState`.
    static func loadScript(_ source: String, into queue: JSSandboxQueue, limits: WorkerLimits) async throws -> WorkerScript.Loaded {
        let loaded = try await WorkerScript.load(source, into: queue, timeLimit: limits.reduceTime * 10)
        let initial = loaded.initialState.jsonString
        guard initial.utf8.count <= limits.maximumStateBytes else {
            throw SpoolError(.invalidEvent, "initialState is \(initial.utf8.count) bytes of JSON; the limit is \(limits.maximumStateBytes)")
        }
        return loaded
    }

    /// Synchronous, for callers outside the runner; the runner uses `reduceOffloaded`, which does not block a pool thread.
    func reduce(into state: inout State, event: Event) {
        let (limits, name) = (limits, spec.name)
        state = (try? queue.runSynchronously { sandbox in Self.reduced(state, event: event, in: sandbox, limits: limits, worker: name) }) ?? state
    }

    func reduceOffloaded(state: Any, event: Event) async -> Any? {
        guard let state = state as? State else { return nil }
        let (limits, name) = (limits, spec.name)
        return try? await queue.run { sandbox in Self.reduced(state, event: event, in: sandbox, limits: limits, worker: name) }
    }

    /// The state after `event`; a failure is kept in `error` (for `afterAppend` to report) with the state left as it was.
    private static func reduced(_ state: State, event: Event, in sandbox: JSSandbox, limits: WorkerLimits, worker name: String) -> State {
        var state = state
        do {
            let next = try sandbox.call(
                "__spool.worker.reduce", jsonArguments: [state.state.jsonString, event.jsonString], timeLimit: limits.reduceTime)
            guard let next else { return State(state: .null) }
            guard next.utf8.count <= limits.maximumStateBytes else {
                state.error = "reduce made a state of \(next.utf8.count) bytes of JSON; the limit is \(limits.maximumStateBytes) (the state is left as it was)"
                return state
            }
            return State(state: try JSONValue.parse(next))
        } catch {
            state.error = failureMessage(error, in: "reduce", on: event, worker: name)
            return state
        }
    }

    /// Folds a page in one JavaScript call; on any failure the runtime reduces one by one, so errors are reported per event.
    func reduceBatch(state: Any, events: [Event]) async -> Any? {
        guard let state = state as? State, state.error == nil else { return nil }
        let eventsJSON = "[" + events.map(\.jsonString).joined(separator: ",") + "]"
        let stateJSON = state.state.jsonString
        let limit = limits.reduceTime + .microseconds(100) * events.count
        guard let next = try? await queue.run({ sandbox in
            try sandbox.call("__spool.worker.reduceMany", jsonArguments: [stateJSON, eventsJSON], timeLimit: limit)
        }), next.utf8.count <= limits.maximumStateBytes, let value = try? JSONValue.parse(next) else {
            return nil
        }
        return State(state: value)
    }

    func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        // Its own failure reports are not failures again (that would loop), and a restored
        // version, which starts before it, does not react to its own configuration.
        if Self.isOwnReport(event, name: spec.name) || event.position == spec.sourcePosition { return }
        if isReconfiguration(event) {
            // Events of a stream come in order: whatever follows is the new version's (or nobody's) to handle.
            manager.supersede(spec, at: event.position)
            return
        }
        guard manager.isCurrent(spec, at: event.position) else { return }
        if let error = state.error {
            try await failed(error, event: event, context: context)
            return
        }
        if let dropped = queue.memoryFailure {
            // Dropped in an earlier call or a refold: nothing runs any more.
            try await failed("worker \(spec.name) \(dropped.message)", event: event, context: context)
            return
        }
        guard hasAfterAppend else {
            manager.succeeded(spec)
            return
        }
        let argument: JSONValue = ["event": event.envelope, "state": state.state]
        do {
            _ = try await JSAsyncDriver.run("afterAppend", argument: argument, on: queue, budget: spec.afterAppendTime(limits: limits)) { request in
                await self.serve(request, event: event, context: context)
            }
            manager.succeeded(spec)
        } catch let error as JSError {
            try await failed(Self.failureMessage(error, in: "afterAppend", on: event, worker: spec.name), event: event, context: context)
        }
    }

    /// What `spool/worker-failed` says of an `error` in `stage` (`reduce`, `afterAppend`) on `event`.
    static func failureMessage(_ error: any Error, in stage: String, on event: Event, worker name: String) -> String {
        if let error = error as? JSError, error.kind == .memoryLimit {
            return "worker \(name) \(error.message) (in \(stage) on \(event.type) at offset \(event.offset))"
        }
        return "\(stage) failed on \(event.type) at offset \(event.offset): \(error)"
    }

    private func isReconfiguration(_ event: Event) -> Bool {
        (event.type == WorkerSpec.configuredType || event.type == WorkerSpec.removedType) && event.streamPath == spec.stream
            && event.position > spec.sourcePosition && event.payload.objectValue?["name"]?.stringValue == spec.name
    }

    static func isOwnReport(_ event: Event, name: String) -> Bool {
        (event.type == WorkerSpec.failedType || event.type == WorkerSpec.stoppedType)
            && event.payload.objectValue?["name"]?.stringValue == name
    }

    /// Records `spool/worker-failed` on the worker's own stream; too many in a row stop the worker, and
    /// so does a sandbox dropped for its memory (the worker's code and module variables went with it).
    private func failed(_ message: String, event: Event, context: ProcessorContext) async throws {
        let count = manager.failed(spec)
        var payload: JSONObject = [
            "name": .string(spec.name), "sourceOffset": .int(Int64(event.offset)), "error": .string(message),
            "configOffset": .int(Int64(spec.sourceOffset)),
        ]
        if event.streamPath != spec.stream { payload["stream"] = .string(event.streamPath.rawValue) }
        try await context.append(AppendInput(type: WorkerSpec.failedType, payload: .object(payload)), to: spec.stream)
        let reason: String
        if let dropped = queue.memoryFailure {
            reason = dropped.message
        } else if count >= limits.maximumConsecutiveFailures {
            reason = "failed \(count) times in a row"
        } else {
            return
        }
        manager.stop(spec)
        try await context.append(
            AppendInput(
                type: WorkerSpec.stoppedType,
                payload: [
                    "name": .string(spec.name), "sourceOffset": .int(Int64(spec.sourceOffset)),
                    "reason": .string(reason + "; deploy a fixed version to start it again"),
                ]),
            to: spec.stream)
    }

    // MARK: Host requests

    private func serve(_ request: JSHostRequest, event: Event, context: ProcessorContext) async -> JSAsyncDriver.Answer {
        do {
            switch request.kind {
            case "append":
                return .success(try await append(request.arguments, event: event, context: context))
            case "fetch":
                return .success(try await fetch(request.arguments))
            case "log":
                manager.logger.info(
                    "\(request.arguments.stringValue ?? request.arguments.jsonString)",
                    metadata: ["spool.processor": "\(name)", "spool.stream": "\(event.streamPath)", "spool.offset": "\(event.offset)"])
                return .success(.null)
            default:
                return .failure(JSAsyncDriver.HostError("unknown request \(request.kind)"))
            }
        } catch let error as SpoolError {
            return .failure(JSAsyncDriver.HostError(error.message))
        } catch {
            return .failure(JSAsyncDriver.HostError("\(error)"))
        }
    }

    /// `append(event, path?)`: to the event's stream, or to the worker's own stream or a child of it.
    private func append(_ arguments: JSONValue, event: Event, context: ProcessorContext) async throws -> JSONValue {
        let object = arguments.objectValue
        let target = try resolveTarget(object?["path"]?.stringValue, event: event)
        guard var fields = object?["event"]?.objectValue else {
            throw SpoolError(.invalidEvent, "append(event, path?) needs an event object {type, payload?, metadata?}")
        }
        if fields["payload"] == nil { fields["payload"] = .emptyObject }
        let input = try AppendInput(json: .object(fields))
        if Event.isSystemType(input.type) {
            throw SpoolError(.invalidEvent, "workers may not append reserved spool/ events (\(input.type))")
        }
        let size = input.payloadJSON.utf8.count + (input.metadataJSON?.utf8.count ?? 0)
        guard size <= limits.maximumEventBytes else {
            throw SpoolError(.payloadTooLarge, "the event is \(size) bytes; workers may append at most \(limits.maximumEventBytes)")
        }
        return try await context.append(input, to: target).envelope
    }

    private func resolveTarget(_ path: String?, event: Event) throws -> StreamPath {
        guard let path else { return event.streamPath }
        let own = spec.stream
        let target = path.hasPrefix("/") ? try StreamPath(path) : try own.appending(path)
        guard target.hasPrefix(try StreamPrefix(own.rawValue)) else {
            throw SpoolError(.invalidRequest, "append to \(target) refused: worker \(spec.name) may append only to \(own) and its children")
        }
        return target
    }
}
