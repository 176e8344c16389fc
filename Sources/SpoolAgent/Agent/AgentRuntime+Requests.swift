import SpoolCore

extension AgentRuntime {
    /// A request this node appended `llm/request-started` for, and now streams.
    struct StartedRequest {
        var requestId: String
        /// The provider, or why there is none (an unknown name, a missing API key): the request fails with it.
        var provider: Result<any LLMProvider, LLMError>
        var request: LLMRequest
    }

    /// Runs a request job: waits out the debounce, starts the request, streams the answer.
    func runRequest(_ stream: StreamPath, generation: Int, debounceMs: Int, state: AgentState?) async throws {
        if debounceMs > 0 { try await Task.sleep(for: .milliseconds(debounceMs)) }
        guard let started = try await startRequest(stream, generation: generation, state: state) else { return }
        defer { queue.streamingEnded(stream, requestId: started.requestId) }
        try await queue.runUntilStopped(stream, requestId: started.requestId, generation: generation) {
            try await self.streamAnswer(to: started, into: stream, generation: generation)
        }
    }

    /// Appends the request's `llm/request-started` unless the job is stale, and marks the
    /// request as streamed here; under the stream's turn lock, so a resume sees the request
    /// only once it is marked (and does not take it for one a restart left).
    /// - Parameter given: the state the request starts from; `nil` for the stream's state now.
    /// - Returns: the request to stream, or `nil` when there is nothing for this job to do.
    private func startRequest(_ stream: StreamPath, generation: Int, state given: AgentState?) async throws -> StartedRequest? {
        try await turnLock.withLock(stream) {
            // A newer input took over; otherwise nothing but this request's own bookkeeping followed `state`.
            guard queue.isCurrent(stream, generation: generation) else { return nil }
            let state: AgentState
            if let given { state = given } else { state = try await currentState(stream) }
            switch try await start(stream, from: state) {
            case .started(let request):
                return request
            case .notNeeded:
                return nil
            case .numberTaken(let requestId):
                // Taken by a request started before this process (a restart, a dead node): the resume decides.
                guard queue.wasStartedHere(stream, requestId: requestId) else { return nil }
                // Taken by a request an older job of this node started from a state before the input
                // this job answers (it arrived while that request was starting). This job superseded
                // that one, so an unfinished request is cancelled as a new input cancels one, and this
                // job starts from the state at the head.
                var now = try await currentState(stream)
                if now.activeRequestId == requestId {
                    queue.cancel(stream, requestId: requestId)
                    try await append(
                        AgentEvents.requestCancelled, ["requestId": .string(requestId), "reason": "new input"], to: stream,
                        key: "agent:\(requestId):superseded")
                    now = try await currentState(stream)
                }
                guard case .started(let request) = try await start(stream, from: now) else { return nil }
                return request
            }
        }
    }

    /// What starting a request from a state came to.
    private enum RequestStart {
        case started(StartedRequest)
        /// The state asks for no request.
        case notNeeded
        /// The state's next request number was started before, from another state.
        case numberTaken(String)
    }

    /// Appends `llm/request-started` for the request `state` asks for, and marks it as streamed here.
    private func start(_ stream: StreamPath, from state: AgentState) async throws -> RequestStart {
        guard state.activeRequestId == nil, state.hasUnansweredInput || state.lastMessageIsToolResult else { return .notNeeded }
        let configuration = state.configuration
        let providerName = configuration.provider ?? providers.defaultProviderName
        let provider = Result { () throws(LLMError) -> any LLMProvider in try providers.provider(named: providerName) }
        let model = configuration.model ?? providers.defaultModel(for: providerName)
        let requestId = "req-\(state.requestCount + 1)"
        let started = try await store.append(
            [
                try AppendInput(
                    type: AgentEvents.requestStarted,
                    payload: [
                        "requestId": .string(requestId), "provider": .string(providerName), "model": .string(model),
                        "inputOffset": .int(Int64(state.lastInputOffset)),
                    ], idempotencyKey: "agent:\(requestId):started")
            ], to: stream)
        guard !started.isReplay else { return .numberTaken(requestId) }
        queue.streamingBegan(stream, requestId: requestId)
        let request = LLMRequest(
            model: model, systemPrompt: configuration.systemPrompt, messages: state.llmMessages,
            tools: toolbox.definitions(for: configuration), temperature: configuration.temperature,
            maxOutputTokens: configuration.maxOutputTokens)
        return .started(StartedRequest(requestId: requestId, provider: provider, request: request))
    }

    /// Streams the provider's answer into `llm/*` events, until it completes, fails, or the
    /// request is cancelled or superseded.
    private func streamAnswer(to started: StartedRequest, into stream: StreamPath, generation: Int) async throws {
        let (requestId, provider, request) = (started.requestId, started.provider, started.request)
        var coalescer = DeltaCoalescer()
        var deltas = 0
        func appendDelta(_ text: String) async throws {
            deltas += 1
            try await append(AgentEvents.outputDelta, ["requestId": .string(requestId), "text": .string(text)], to: stream, key: "agent:\(requestId):delta:\(deltas)")
        }
        do {
            let answer = try await provider.get().stream(request).ticking(every: coalescer.maximumDelay)
            for try await paced in answer {
                // Cancelled by a new input, or by someone's `llm/request-cancelled`.
                guard queue.isCurrent(stream, generation: generation), !queue.isCancelled(stream, requestId: requestId) else { return }
                guard case .event(let event) = paced else {
                    // Text held back while the model pauses goes out after `maximumDelay`, not with the next text.
                    if let delta = coalescer.flushIfDue(now: .now) { try await appendDelta(delta) }
                    continue
                }
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
            // A request cancelled or superseded meanwhile ends with its `llm/request-cancelled`.
            guard queue.isCurrent(stream, generation: generation), !queue.isCancelled(stream, requestId: requestId), !Task.isCancelled
            else { return }
            try await append(
                AgentEvents.requestFailed,
                ["requestId": .string(requestId), "error": .string(error.message), "retryable": .bool(error.retryable)],
                to: stream, key: "agent:\(requestId):failed")
        }
    }
}
