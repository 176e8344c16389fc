import SpoolCore

/// Runs any `StreamProcessor` against a remote Spool server over plain HTTP:
/// it follows `/feed` from a server-side checkpoint (`/checkpoints/{consumer}`),
/// folds each stream with `reduce` and calls `afterAppend`, whose appends carry
/// derived idempotency keys, so a crash and restart never duplicates them.
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

    public init(processor: Processor, client: SpoolClient, consumer: String? = nil, checkpointEvery: Int = 1) {
        self.processor = processor
        self.client = client
        self.consumer = consumer ?? "remote:" + processor.name
        self.checkpointEvery = checkpointEvery
    }

    /// Handles events until the calling task is cancelled (or the server refuses, e.g. 401).
    public func run() async throws {
        let start = try await checkpoint()
        var states: [StreamPath: (offset: Int, state: Processor.State)] = [:]
        var handledSinceSave = 0
        var position = start
        var events = client.feed(prefix: processor.streams.prefix.rawValue, after: start).makeAsyncIterator()
        while let event = try await events.next() {
            position = event.position
            guard processor.streams.matches(event.streamPath) else { continue }
            var entry: (offset: Int, state: Processor.State)
            if let cached = states[event.streamPath] {
                entry = cached
            } else {
                entry = try await refold(event.streamPath, through: event.offset - 1)
            }
            guard event.offset > entry.offset else { continue }
            processor.reduce(into: &entry.state, event: event)
            entry.offset = event.offset
            states[event.streamPath] = entry
            if processor.reacts(to: event, state: entry.state) {
                let context = ProcessorContext(processorName: processor.name, source: event) { inputs, path in
                    try await client.append(inputs, to: path)
                }
                try await processor.afterAppend(event: event, state: entry.state, context: context)
            }
            handledSinceSave += 1
            if handledSinceSave >= checkpointEvery {
                try await saveCheckpoint(position)
                handledSinceSave = 0
            }
        }
        try await saveCheckpoint(position)
    }

    /// The state of a stream as of `offset`, folded from the server (events handled before a restart).
    func refold(_ stream: StreamPath, through offset: Int) async throws -> (offset: Int, state: Processor.State) {
        var state = processor.initialState
        var done = 0
        while done < offset {
            let page = try await client.read(stream, after: done, limit: min(10_000, offset - done))
            guard let last = page.last else { break }
            for event in page { processor.reduce(into: &state, event: event) }
            done = last.offset
        }
        return (done, state)
    }

    func checkpoint() async throws -> Int {
        let answer = try await client.send(.GET, "/checkpoints/" + consumer)
        return Int(answer["position"]?.intValue ?? 0)
    }

    func saveCheckpoint(_ position: Int) async throws {
        _ = try await client.send(.PUT, "/checkpoints/" + consumer, body: ["position": .int(Int64(position))])
    }
}
