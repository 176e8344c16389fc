import SpoolCore

/// Runs any `StreamProcessor` against a remote Spool server over plain HTTP:
/// it follows `/feed` from a server-side checkpoint (`/checkpoints/{consumer}`),
/// folds each stream with `reduce` and calls `afterAppend`, whose appends carry
/// derived idempotency keys, so a crash and restart never duplicates them. As in the
/// server, a failing `afterAppend` is retried with backoff and then recorded as
/// `spool/processor-failed`, and a paused stream gets no reactions.
///
/// ```swift
/// let runner = RemoteProcessorRunner(processor: Counter(), client: SpoolClient(baseURL: url))
/// try await runner.run()  // until the task is cancelled
/// ```
public struct RemoteProcessorRunner<Processor: StreamProcessor>: Sendable {
    public let processor: Processor
    public let client: SpoolClient
    /// The server-side checkpoint name; defaults to `remote:<processor name>`.
    public let consumer: String
    /// Save the checkpoint after this many handled events. With 1 (the default) a restart
    /// handles nothing twice; larger values trade that for fewer requests (re-handled
    /// events append nothing twice either way).
    public let checkpointEvery: Int
    /// Attempts and waits for a failing `afterAppend` before `spool/processor-failed`.
    public let retry: RetryPolicy

    public init(
        processor: Processor, client: SpoolClient, consumer: String? = nil, checkpointEvery: Int = 1,
        retry: RetryPolicy = Reaction.defaultRetry
    ) {
        self.processor = processor
        self.client = client
        self.consumer = consumer ?? "remote:" + processor.name
        self.checkpointEvery = checkpointEvery
        self.retry = retry
    }

    /// Handles events until the calling task is cancelled (or the server refuses, e.g. 401).
    public func run() async throws {
        let start = try await checkpoint()
        var states: [StreamPath: StreamEntry] = [:]
        var handledSinceSave = 0
        var position = start
        var events = client.feed(prefix: processor.streams.prefix.rawValue, after: start).makeAsyncIterator()
        while let event = try await events.next() {
            position = event.position
            guard processor.streams.matches(event.streamPath) else { continue }
            var entry: StreamEntry
            if let cached = states[event.streamPath] {
                entry = cached
            } else {
                entry = try await refold(event.streamPath, through: event.offset - 1)
            }
            guard event.offset > entry.offset else { continue }
            entry.fold(event, with: processor)
            states[event.streamPath] = entry
            if !entry.paused, processor.reacts(to: event, state: entry.state) {
                try await react(to: event, state: entry.state)
            }
            handledSinceSave += 1
            if handledSinceSave >= checkpointEvery {
                try await saveCheckpoint(position)
                handledSinceSave = 0
            }
        }
        try await saveCheckpoint(position)
    }

    /// A stream's state, the offset it is folded through, and whether the stream is paused.
    struct StreamEntry {
        var offset: Int
        var state: Processor.State
        var paused = false

        mutating func fold(_ event: Event, with processor: Processor) {
            processor.reduce(into: &state, event: event)
            paused = StreamPause.isPaused(after: event.type, wasPaused: paused)
            offset = event.offset
        }
    }

    /// The state of a stream as of `offset`, folded from the server (events handled before a restart).
    func refold(_ stream: StreamPath, through offset: Int) async throws -> StreamEntry {
        var entry = StreamEntry(offset: 0, state: processor.initialState)
        while entry.offset < offset {
            let page = try await client.read(stream, after: entry.offset, limit: min(10_000, offset - entry.offset))
            guard !page.isEmpty else { break }
            for event in page { entry.fold(event, with: processor) }
        }
        return entry
    }

    /// Calls `afterAppend` with retries; a final failure is recorded on the event's stream.
    private func react(to event: Event, state: Processor.State) async throws {
        guard !Reaction.isOwnFailure(event, processor: processor.name) else { return }
        let client = self.client
        let outcome = try await Reaction.attempt(processor, event: event, state: state, keyName: processor.name, retry: retry) {
            inputs, path in try await client.append(inputs, to: path)
        }
        guard case .failed(let error) = outcome else { return }
        do {
            try await client.append(Reaction.failureRecord(processor: processor.name, event: event, error: error), to: event.streamPath)
        } catch let error as SpoolError where error.code == .streamPaused {
            return
        }
    }

    func checkpoint() async throws -> Int {
        let answer = try await client.send(.GET, "/checkpoints/" + consumer)
        return Int(answer["position"]?.intValue ?? 0)
    }

    func saveCheckpoint(_ position: Int) async throws {
        _ = try await client.send(.PUT, "/checkpoints/" + consumer, body: ["position": .int(Int64(position))])
    }
}
