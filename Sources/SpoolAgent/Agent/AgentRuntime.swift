import Logging
import ServiceLifecycle
import SpoolCore
import SpoolProcessors
import SpoolStore
import Synchronization

/// Runs what the agent processor hands over: LLM requests (streamed into
/// `llm/*` events) and tool calls (into `tool/call-completed`). At start it
/// resumes turns a restart interrupted: a request in flight is cancelled and
/// sent again, unfinished tool calls run — completed ones never run twice.
public final class AgentRuntime: Service {
    let queue: AgentJobQueue
    let processor: AgentProcessor
    let host: ProcessorHost
    let store: any EventStore
    let providers: ProviderRegistry
    let toolbox: Toolbox
    let toolContext: @Sendable (StreamPath, String) -> AgentToolContext
    let logger: Logger
    private let runningTools = Mutex<Set<String>>([])

    public init(
        queue: AgentJobQueue, processor: AgentProcessor, host: ProcessorHost, store: any EventStore,
        providers: ProviderRegistry, toolbox: Toolbox, appendPrefixes: [StreamPrefix] = [], httpAllowedHosts: [String] = [],
        logger: Logger
    ) {
        self.queue = queue
        self.processor = processor
        self.host = host
        self.store = store
        self.providers = providers
        self.toolbox = toolbox
        self.logger = logger
        toolContext = { stream, callId in
            AgentToolContext(
                stream: stream, callId: callId, store: store, appendPrefixes: appendPrefixes, httpAllowedHosts: httpAllowedHosts)
        }
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await self.resumeInterruptedTurns()
                } catch {
                    self.logger.error("could not resume agent turns", metadata: ["spool.error": "\(error)"])
                }
            }
            await withGracefulShutdownHandler {
                for await job in queue.jobs {
                    group.addTask { await self.perform(job) }
                }
            } onGracefulShutdown: {
                self.queue.finish()
            }
        }
    }

    func perform(_ job: AgentJobQueue.Job) async {
        do {
            switch job {
            case .request(let stream, let generation, let debounceMs, let state):
                try await runRequest(stream, generation: generation, debounceMs: debounceMs, state: state)
            case .tool(let stream, let callId):
                try await runTool(stream, callId: callId)
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("agent job failed", metadata: ["spool.error": "\(error)"])
        }
    }

    // MARK: Requests

    func runRequest(_ stream: StreamPath, generation: Int, debounceMs: Int, state: AgentState) async throws {
        if debounceMs > 0 { try await Task.sleep(for: .milliseconds(debounceMs)) }
        // A newer input took over; otherwise nothing but this request's own bookkeeping followed `state`.
        guard queue.isCurrent(stream, generation: generation) else { return }
        guard state.activeRequestId == nil, state.hasUnansweredInput || state.lastMessageIsToolResult else { return }
        let configuration = state.configuration
        let provider = try providers.provider(named: configuration.provider ?? providers.defaultProviderName)
        let model = configuration.model ?? providers.defaultModel(for: provider.name)
        let requestId = "req-\(state.requestCount + 1)"
        let started = try await store.append(
            [
                try AppendInput(
                    type: AgentEvents.requestStarted,
                    payload: [
                        "requestId": .string(requestId), "provider": .string(provider.name), "model": .string(model),
                        "inputOffset": .int(Int64(state.lastInputOffset)),
                    ], idempotencyKey: "agent:\(requestId):started")
            ], to: stream)
        guard !started.isReplay else { return }  // another job (a resume) owns this request

        let request = LLMRequest(
            model: model, systemPrompt: configuration.systemPrompt, messages: state.llmMessages,
            tools: toolbox.definitions(for: configuration), temperature: configuration.temperature,
            maxOutputTokens: configuration.maxOutputTokens)
        var coalescer = DeltaCoalescer()
        var deltas = 0
        func appendDelta(_ text: String) async throws {
            deltas += 1
            try await append(AgentEvents.outputDelta, ["requestId": .string(requestId), "text": .string(text)], to: stream, key: "agent:\(requestId):delta:\(deltas)")
        }
        do {
            for try await event in try await provider.stream(request) {
                // Cancelled by a new input, or by someone's `llm/request-cancelled`.
                guard queue.isCurrent(stream, generation: generation), !queue.isCancelled(stream, requestId: requestId) else { return }
                switch event {
                case .textDelta(let text):
                    if let delta = coalescer.add(text, now: .now) { try await appendDelta(delta) }
                case .toolCallStarted:
                    continue
                case .completed(let response):
                    if let delta = coalescer.flush() { try await appendDelta(delta) }
                    guard queue.isCurrent(stream, generation: generation) else { return }
                    var payload = response.jsonValue.objectValue ?? JSONObject()
                    payload["requestId"] = .string(requestId)
                    try await append(AgentEvents.responseCompleted, .object(payload), to: stream, key: "agent:\(requestId):completed")
                    return
                }
            }
            throw LLMError("the provider's stream ended without a response", retryable: true)
        } catch let error as LLMError {
            guard queue.isCurrent(stream, generation: generation) else { return }
            try await append(
                AgentEvents.requestFailed,
                ["requestId": .string(requestId), "error": .string(error.message), "retryable": .bool(error.retryable)],
                to: stream, key: "agent:\(requestId):failed")
        }
    }

    // MARK: Tools

    func runTool(_ stream: StreamPath, callId: String) async throws {
        let claimed = runningTools.withLock { $0.insert("\(stream)#\(callId)").inserted }
        guard claimed else { return }  // already running (a resume and a re-fed event raced)
        defer { _ = runningTools.withLock { $0.remove("\(stream)#\(callId)") } }
        let state = try await currentState(stream)
        guard let call = state.toolCalls[callId], !call.completed else { return }  // never run a completed call again
        let outcome: ToolOutcome
        if let tool = toolbox.tools[call.name], state.configuration.tools.contains(call.name) {
            do {
                let arguments = (try? JSONValue.parse(call.argumentsJSON)) ?? .emptyObject
                outcome = try await tool.run(arguments: arguments, context: toolContext(stream, callId))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                outcome = .output("error: \(error)", isError: true)
            }
        } else {
            outcome = .output("error: no tool named '\(call.name)' is enabled for this agent", isError: true)
        }
        guard case .output(let output, let isError) = outcome else { return }
        try await append(
            AgentEvents.toolCallCompleted,
            ["callId": .string(callId), "name": .string(call.name), "output": .string(output), "isError": .bool(isError)],
            to: stream, key: "agent:tool:\(callId)")
    }

    // MARK: Resuming

    func resumeInterruptedTurns() async throws {
        for (stream, state) in try await host.snapshotStates(of: processor) {
            if let active = state.activeRequestId {
                queue.supersede(stream)
                try await append(
                    AgentEvents.requestCancelled, ["requestId": .string(active), "reason": "server restarted"], to: stream,
                    key: "agent:\(active):restart-cancelled")
                var resumed = state
                resumed.activeRequestId = nil
                queue.submitRequest(stream, debounceMs: 0, state: resumed)
            } else if state.hasUnansweredInput || (state.lastMessageIsToolResult && state.openToolCalls.isEmpty) {
                queue.submitRequest(stream, debounceMs: 0, state: state)
            }
            for callId in state.openToolCalls where [.notNeeded, .granted].contains(state.toolCalls[callId]?.approval) {
                queue.submitTool(stream, callId: callId)
            }
        }
    }

    // MARK: Helpers

    /// The agent's state now: a pure fold of its stream.
    func currentState(_ stream: StreamPath) async throws -> AgentState {
        let (_, json) = try await host.state(processor: processor.name, stream: stream)
        return try JSONValue.decode(AgentState.self, from: json)
    }

    func append(_ type: String, _ payload: JSONValue, to stream: StreamPath, key: String) async throws {
        do {
            try await store.append(AppendInput(type: type, payload: payload, idempotencyKey: key), to: stream)
        } catch let error as SpoolError where error.code == .streamPaused {
            logger.info("agent stream paused; dropping \(type)", metadata: ["spool.stream": "\(stream)"])
        }
    }
}

extension AgentState {
    /// Whether the conversation ends with a tool result the model has not answered.
    var lastMessageIsToolResult: Bool { messages.last?.role == "tool" }
}
