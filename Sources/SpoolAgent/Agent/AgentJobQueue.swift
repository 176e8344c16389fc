import SpoolCore
import Synchronization

/// Work the agent processor hands to `AgentRuntime`: LLM requests and tool runs,
/// which take long and must not hold up the stream's event handling.
public final class AgentJobQueue: Sendable {
    public enum Job: Sendable {
        /// `state` is the agent's state after the event that asked for the request (a pure fold);
        /// `nil` (a resumed turn) means the stream's state when the request starts.
        case request(stream: StreamPath, generation: Int, debounceMs: Int, state: AgentState?)
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
    /// - Parameter state: what the request starts from; `nil` for the stream's state when it starts.
    public func submitRequest(_ stream: StreamPath, debounceMs: Int, state: AgentState?) {
        let generation = supersede(stream)
        continuation.yield(.request(stream: stream, generation: generation, debounceMs: debounceMs, state: state))
    }

    public func submitTool(_ stream: StreamPath, callId: String) {
        continuation.yield(.tool(stream: stream, callId: callId))
    }

    /// Makes every request job of the stream stale, and stops at once those streaming a request;
    /// returns the new generation.
    @discardableResult
    public func supersede(_ stream: StreamPath) -> Int {
        let generation = generations.withLock { generations in
            let next = (generations[stream] ?? 0) + 1
            generations[stream] = next
            return next
        }
        stop(stream) { $0.generation < generation }
        return generation
    }

    /// Per stream, requests cancelled by an event, which their job must stop streaming.
    /// Kept only while they can matter: a request's cancellation goes when its job stops
    /// streaming it, and older ones when a newer request starts streaming, so this holds
    /// a few entries per busy stream, not one per cancellation since the server started.
    private let cancelled = Mutex<[StreamPath: Set<String>]>([:])

    /// Marks the request cancelled, and stops at once the job streaming it, if any.
    public func cancel(_ stream: StreamPath, requestId: String) {
        _ = cancelled.withLock { $0[stream, default: []].insert(requestId) }
        stop(stream) { $0.requestId == requestId }
    }

    public func isCancelled(_ stream: StreamPath, requestId: String) -> Bool {
        cancelled.withLock { $0[stream]?.contains(requestId) ?? false }
    }

    /// Cancellations held, over all streams (for tests).
    var cancellationCount: Int { cancelled.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Per stream, the request a job of this node (this process) started last, and whether
    /// that job still streams it. Starting a request makes it the stream's active one, so
    /// the last started is the only one a resume or a newer job asks about.
    private let startedHere = Mutex<[StreamPath: (requestId: String, streaming: Bool)]>([:])

    /// A job appended the request's `llm/request-started` and streams it until `streamingEnded`.
    /// Cancellations of the stream's older requests no longer matter: those are superseded.
    func streamingBegan(_ stream: StreamPath, requestId: String) {
        startedHere.withLock { $0[stream] = (requestId, true) }
        cancelled.withLock { cancelled in
            guard let ids = cancelled[stream] else { return }
            cancelled[stream] = ids.contains(requestId) ? [requestId] : nil
        }
    }

    func streamingEnded(_ stream: StreamPath, requestId: String) {
        startedHere.withLock { started in
            if started[stream]?.requestId == requestId { started[stream]?.streaming = false }
        }
        cancelled.withLock { cancelled in
            cancelled[stream]?.remove(requestId)
            if cancelled[stream]?.isEmpty == true { cancelled[stream] = nil }
        }
    }

    /// Whether a job of this node streams the request: a request started but streamed by
    /// no one here was left by a restart, a dead node, or a job superseded meanwhile.
    func isStreaming(_ stream: StreamPath, requestId: String) -> Bool {
        startedHere.withLock { $0[stream].map { $0.requestId == requestId && $0.streaming } ?? false }
    }

    /// Whether the stream's request `requestId` was started by a job of this node, streaming
    /// or not any more, rather than before a restart or on another node.
    func wasStartedHere(_ stream: StreamPath, requestId: String) -> Bool {
        startedHere.withLock { $0[stream]?.requestId == requestId }
    }

    /// Whether a request job is still the newest of its stream.
    public func isCurrent(_ stream: StreamPath, generation: Int) -> Bool {
        generations.withLock { $0[stream] == generation }
    }

    /// Per stream, the jobs streaming a request now (normally one; for a moment two, while a
    /// superseded job stops), each with the signal that stops it.
    private let streamingJobs = Mutex<[StreamPath: [StreamingJob]]>([:])

    private final class StreamingJob: Sendable {
        let requestId: String
        let generation: Int
        let stop: AsyncStream<Void>.Continuation

        init(requestId: String, generation: Int, stop: AsyncStream<Void>.Continuation) {
            self.requestId = requestId
            self.generation = generation
            self.stop = stop
        }
    }

    /// Runs `streaming`, which streams the request `requestId` of a job of generation `generation`,
    /// until it ends or the request is cancelled (``cancel(_:requestId:)``) or superseded
    /// (``supersede(_:)``). Then `streaming` is cancelled at once: an HTTP request under way is
    /// closed (AsyncHTTPClient cancels it with its task) and a wait between retries ends, rather
    /// than the job noticing when the provider next sends something, which a stalled provider never does.
    func runUntilStopped(
        _ stream: StreamPath, requestId: String, generation: Int, _ streaming: @escaping @Sendable () async throws -> Void
    ) async throws {
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        let job = StreamingJob(requestId: requestId, generation: generation, stop: stop)
        streamingJobs.withLock { $0[stream, default: []].append(job) }
        defer {
            streamingJobs.withLock { jobs in
                jobs[stream]?.removeAll { $0 === job }
                if jobs[stream]?.isEmpty == true { jobs[stream] = nil }
            }
        }
        // Registered first, checked second: a stop before the registration is seen here, one after it reaches `stop`.
        guard isCurrent(stream, generation: generation), !isCancelled(stream, requestId: requestId) else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { try await streaming() }
            group.addTask { for await _ in stopped {} }
            try await group.next()
        }
    }

    /// Stops the stream's streaming jobs that `matches`.
    private func stop(_ stream: StreamPath, where matches: (StreamingJob) -> Bool) {
        for job in streamingJobs.withLock({ $0[stream] ?? [] }) where matches(job) {
            job.stop.finish()
        }
    }

    func finish() { continuation.finish() }
}
