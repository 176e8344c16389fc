import Logging
import ServiceLifecycle
import SpoolCore
import SpoolProcessors
import SpoolStore
import Synchronization

/// Runs what the agent processor hands over: LLM requests (streamed into
/// `llm/*` events) and tool calls (into `tool/call-completed`). Where the
/// `agent` processor starts running (at start, or taking over from a dead
/// node) it resumes the turns that were interrupted: a request in flight is
/// cancelled and sent again, unfinished tool calls run — completed ones never
/// run twice (see `AgentRuntime+Resuming.swift`).
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
    private let jobsUnderWay = Mutex(0)
    /// Held while a request starts on a stream (its `llm/request-started` appended and marked as
    /// streamed here) and while a resume decides what the stream's turn needs: under it, a request
    /// in flight in the stream's state is either streamed by a job here (`AgentJobQueue.isStreaming`)
    /// or was left by a restart or a dead node.
    let turnLock = PerStreamLock()
    /// The run of the `agent` processor whose interrupted turns were resumed last.
    let resumedRun = Mutex<Int?>(nil)

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
            group.addTask { await self.resumeInterruptedTurnsAtEachRun() }
            await withGracefulShutdownHandler {
                for await job in queue.jobs {
                    group.addTask { await self.perform(job) }
                }
            } onGracefulShutdown: {
                self.queue.finish()
            }
            // Shutting down: a stalled provider or a long tool (ask_agent waits up to 10 minutes)
            // must not hold the server, and its data directory, for that long. What is under way
            // gets the processors' grace, then is cancelled and taken up again where the `agent`
            // processor next starts (a request is sent again, an unfinished tool runs).
            let deadline = ContinuousClock.now + host.configuration.shutdownGrace
            while jobsUnderWay.withLock({ $0 }) > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
        }
    }

    func perform(_ job: AgentJobQueue.Job) async {
        jobsUnderWay.withLock { $0 += 1 }
        defer { jobsUnderWay.withLock { $0 -= 1 } }
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
