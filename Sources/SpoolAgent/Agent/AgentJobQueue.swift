import SpoolCore
import Synchronization

/// Work the agent processor hands to `AgentRuntime`: LLM requests and tool runs,
/// which take long and must not hold up the stream's event handling.
public final class AgentJobQueue: Sendable {
    public enum Job: Sendable {
        /// `state` is the agent's state after the event that asked for the request (a pure fold).
        case request(stream: StreamPath, generation: Int, debounceMs: Int, state: AgentState)
        case tool(stream: StreamPath, callId: String)
    }

    let jobs: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    /// Per stream, the generation of the newest request job; older ones stop.
    private let generations = Mutex<[StreamPath: Int]>([:])

    public init() {
        (jobs, continuation) = AsyncStream<Job>.makeStream()
    }

    /// Queues a request, superseding any older request job of the stream.
    public func submitRequest(_ stream: StreamPath, debounceMs: Int, state: AgentState) {
        let generation = supersede(stream)
        continuation.yield(.request(stream: stream, generation: generation, debounceMs: debounceMs, state: state))
    }

    public func submitTool(_ stream: StreamPath, callId: String) {
        continuation.yield(.tool(stream: stream, callId: callId))
    }

    /// Makes every request job of the stream stale; returns the new generation.
    @discardableResult
    public func supersede(_ stream: StreamPath) -> Int {
        generations.withLock { generations in
            let next = (generations[stream] ?? 0) + 1
            generations[stream] = next
            return next
        }
    }

    /// Requests cancelled by an event, which their job must stop streaming.
    private let cancelled = Mutex<Set<String>>([])

    public func cancel(_ stream: StreamPath, requestId: String) {
        _ = cancelled.withLock { $0.insert("\(stream)#\(requestId)") }
    }

    public func isCancelled(_ stream: StreamPath, requestId: String) -> Bool {
        cancelled.withLock { $0.contains("\(stream)#\(requestId)") }
    }

    /// Whether a request job is still the newest of its stream.
    public func isCurrent(_ stream: StreamPath, generation: Int) -> Bool {
        generations.withLock { $0[stream] == generation }
    }

    func finish() { continuation.finish() }
}
