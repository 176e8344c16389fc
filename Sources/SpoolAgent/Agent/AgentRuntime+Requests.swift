import SpoolCore

extension AgentRuntime {
    /// A request this node appended `llm/request-started` for, and now streams.
    struct StartedRequest {
        var requestId: String
        var provider: any LLMProvider
        var request: LLMRequest
    }

    /// Runs a request job: waits out the debounce, starts the request, streams the answer.
    func runRequest(_ stream: StreamPath, generation: Int, debounceMs: Int, state: AgentState?) async throws {
        if debounceMs > 0 { try await Task.sleep(for: .milliseconds(debounceMs)) }
        guard let started = try await startRequest(stream, generation: generation, state: state) else { return }
        defer { queue.streamingEnded(stream, requestId: started.requestId) }
        try await streamAnswer(to: started, into: stream, generation: generation)
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
            guard state.activeRequestId == nil, state.hasUnansweredInput || state.lastMessageIsToolResult else { return nil }
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
            // Started before (by a job before a restart, or on a dead node): a resume decides what becomes of it.
            guard !started.isReplay else { return nil }
            queue.streamingBegan(stream, requestId: requestId)
            let request = LLMRequest(
                model: model, systemPrompt: configuration.systemPrompt, messages: state.llmMessages,
                tools: toolbox.definitions(for: configuration), temperature: configuration.temperature,
                maxOutputTokens: configuration.maxOutputTokens)
            return StartedRequest(requestId: requestId, provider: provider, request: request)
        }
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
}
