import Foundation
import Logging
import ServiceLifecycle
import SpoolCore
import SpoolStore
import Synchronization

/// What the host needs of a runner, whatever its processor's state type.
protocol ProcessorRunning: Sendable {
    var name: String { get }
    /// Names its checkpoint and snapshots (and, on a shared store, its lease).
    var storageName: String { get }
    var streams: StreamPattern { get }
    func run() async throws
    func state(of stream: StreamPath, at offset: Int?) async throws -> (offset: Int, state: JSONValue)
    /// Where the processor is; `runsHere` false means another node runs it (its saved progress counts).
    func status(headPosition: Int, runsHere: Bool) async throws -> ProcessorStatus
    /// The feed position handled so far, as last saved (with the snapshots of what it handled).
    var savedCheckpoint: Int { get }
    /// Ends `run()` gracefully (progress is saved), as a graceful shutdown would.
    func stop()
}

/// Adopted by processors whose reducer runs on a thread of its own (a
/// JavaScript sandbox's queue): the runner awaits it instead of blocking a
/// thread of the concurrency pool, so a busy reducer slows nobody else.
protocol OffloadedReducing: Sendable {
    /// The state after `event`; `nil` means "call `reduce` instead".
    func reduceOffloaded(state: Any, event: Event) async -> Any?
    /// Folds a page of stored events at once (one JavaScript call instead of
    /// thousands) when refolding; `nil` means "reduce these one by one instead".
    func reduceBatch(state: Any, events: [Event]) async -> Any?
}

/// Adopted by processors whose code changes while the server runs (dynamic
/// workers): each version keeps its checkpoint and snapshots under its own
/// storage name, and a new version starts at a feed position rather than at
/// the beginning (what came before is refolded, not reacted to again).
protocol VersionedProcessor {
    /// Names the version's checkpoint, snapshots and idempotency keys.
    var storageName: String { get }
    /// The feed position a fresh version starts after.
    var startPosition: Int { get }
}

/// Runs one processor over the store's feed: per stream, fold with `reduce`
/// and call `afterAppend` in order; different streams concurrently in lanes.
///
/// Progress is durable: the checkpoint (a feed position below which every
/// event is handled) and per-stream state snapshots are saved together. After
/// a restart the runner resumes after its checkpoint, refolding (reduce only)
/// what it had handled, so no event is skipped and in the happy path none is
/// handled twice; after a crash, a re-run `afterAppend` appends nothing twice
/// because its appends carry derived idempotency keys.
final class ProcessorRunner<Processor: StreamProcessor>: ProcessorRunning {
    let processor: Processor
    let store: any EventStore & ProcessorStateStore
    let configuration: ProcessorHostConfiguration
    let logger: Logger
    let progress: Mutex<Progress>
    /// The processor's snapshot policy, looked up once: a dynamic cast per event is costly.
    private let snapshotPolicy: (any SnapshotPolicy)?
    /// The processor's offloaded reducer, looked up once like the snapshot policy.
    let offloaded: (any OffloadedReducing)?
    /// The processor's interest, when it reads the store before it knows which events it wants.
    private let prepared: (any PreparedInterest)?
    /// The events the processor wants, when it said which (its interest and the pause switches);
    /// looked up once too.
    private let wanted: (@Sendable (Event) -> Bool)?
    private let stopper = Mutex<(stopped: Bool, tail: LiveTail?, signal: AsyncStream<Void>.Continuation?)>((false, nil, nil))
    /// Where checkpoints and snapshots are kept: the name, or a versioned processor's storage name.
    let storageName: String
    let startPosition: Int

    var name: String { processor.name }
    var streams: StreamPattern { processor.streams }
    var consumerName: String { ProcessorCheckpoint.consumer(of: storageName) }

    struct Progress {
        var tracker = WatermarkTracker(start: 0)
        var savedCheckpoint = 0
        /// The latest state to snapshot per stream, encoded only when saved: a
        /// stream snapshotted many times between two flushes is encoded once.
        var pendingSnapshots: [StreamPath: PendingSnapshot] = [:]
        var failures = 0
    }

    /// A stream's state in memory, as of `offset`.
    struct StreamEntry {
        var offset: Int
        var state: Processor.State
        var paused: Bool
        var snapshotOffset: Int
    }

    struct PendingSnapshot {
        var offset: Int
        var envelope: SnapshotEnvelope
    }

    /// How a snapshot is stored: the processor's state plus the runtime's pause flag.
    struct SnapshotEnvelope: Codable {
        var paused: Bool
        var state: Processor.State
    }

    init(processor: Processor, store: any EventStore & ProcessorStateStore, configuration: ProcessorHostConfiguration, logger: Logger) {
        self.processor = processor
        self.store = store
        self.configuration = configuration
        storageName = (processor as? any VersionedProcessor)?.storageName ?? processor.name
        startPosition = (processor as? any VersionedProcessor)?.startPosition ?? 0
        var logger = logger
        logger[metadataKey: "spool.processor"] = "\(processor.name)"
        self.logger = logger
        progress = Mutex(Progress())
        snapshotPolicy = processor as? any SnapshotPolicy
        offloaded = processor as? any OffloadedReducing
        let interest = processor as? any EventInterest
        prepared = processor as? any PreparedInterest
        // Not `interest.map`: a closure made through a generic function is called through a
        // thunk that copies every event it is asked about.
        if let interest { wanted = Self.wants(processor.streams, interest) } else { wanted = nil }
    }

    // MARK: Running

    func run() async throws {
        let start = max(try await store.checkpoint(for: consumerName), startPosition)
        progress.withLock {
            $0.tracker = WatermarkTracker(start: start)
            $0.savedCheckpoint = start
        }
        logger.debug("processor starting", metadata: ["spool.position": "\(start)"])
        // Per run: a run cancelled mid-way (a lost lease) must not leak permits into the next one.
        let inFlight = AsyncSemaphore(permits: configuration.maximumInFlight)
        let lanes: [Lane] = (0..<max(1, configuration.lanes)).map { _ in AsyncStream<LaneBatch>.makeStream() }
        // A processor that said which events it wants is handed only those live; the rest wake nobody.
        // An interest that reads the store first wants everything until it has (see `PreparedInterest`).
        prepared?.beginPreparing()
        let tail = store.tailFeed(prefix: processor.streams.prefix, after: start, where: wanted)
        let (stopped, stopSignal) = AsyncStream<Void>.makeStream()
        let stoppedAlready = stopper.withLock { stopper in
            stopper.tail = tail
            stopper.signal = stopSignal
            return stopper.stopped
        }
        if stoppedAlready { stop() }
        let preparing = prepared.map { prepared in Task { await self.prepareRetrying(prepared) } }
        defer { preparing?.cancel() }
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: RunPart.self) { group in
                for lane in lanes {
                    group.addTask {
                        try await self.runLane(lane.stream, inFlight: inFlight)
                        return .lane
                    }
                }
                let (flushStop, flushStopper) = AsyncStream<Void>.makeStream()
                group.addTask {
                    await self.flushPeriodically(until: flushStop, waking: tail)
                    return .flusher
                }
                group.addTask {
                    defer {
                        for lane in lanes { lane.continuation.finish() }
                        flushStopper.finish()
                    }
                    try await self.feed(tail, to: lanes, inFlight: inFlight)
                    return .feeder
                }
                group.addTask {
                    // Once stopped, what is under way has `shutdownGrace` to finish before it is cancelled.
                    for await _ in stopped {}
                    try? await Task.sleep(for: self.configuration.shutdownGrace)
                    return .graceOver
                }
                var running = lanes.count + 2
                while running > 0, let part = try await group.next() {
                    if case .graceOver = part { group.cancelAll() } else { running -= 1 }
                }
                group.cancelAll()  // the grace timer, when everything ended in time
            }
        } onGracefulShutdown: {
            self.stop()
        }
        try await flush()
        logger.debug("processor stopped")
    }

    /// The parts of a run, told apart when they end.
    private enum RunPart: Sendable {
        case lane, flusher, feeder, graceOver
    }

    /// Hands the feed's deliveries to the lanes until the feed is closed (the runner stopped).
    private func feed(_ tail: LiveTail, to lanes: [Lane], inFlight: AsyncSemaphore) async throws {
        do {
            for try await delivery in tail {
                switch delivery {
                case .events(let events):
                    guard !isStopped else { continue }
                    try await dispatch(events, lanes: lanes, inFlight: inFlight)
                case .idle:
                    // A feed of a few streams is idle while others are busy: its checkpoint follows
                    // the store, so its lag and a restart's catch-up stay short.
                    let published = store.live.publishedPosition
                    if tail.isDrained { progress.withLock { $0.tracker.passed(through: published) } }
                case .passed(let position):
                    // Catching up through history it does not want: saved with the next flush,
                    // so a restart does not read that stretch again.
                    progress.withLock { $0.tracker.passed(through: position) }
                case .overflowed, .closed:
                    continue
                }
            }
        } catch is CancellationError where isStopped {
            return  // the grace ended while waiting for the lanes to make room
        }
    }

    /// Ends the run: the feed closes, lanes start nothing new, and what is under way has
    /// `shutdownGrace` to finish. What is left is handled after the next start.
    func stop() {
        let (tail, signal) = stopper.withLock { stopper in
            stopper.stopped = true
            return (stopper.tail, stopper.signal)
        }
        tail?.close()
        signal?.finish()
    }

    private var isStopped: Bool { stopper.withLock { $0.stopped } }

    /// Hands a feed delivery to the lanes: one batch per lane, so a busy feed costs
    /// one hand-over per lane rather than one per event.
    private func dispatch(_ events: [Event], lanes: [Lane], inFlight: AsyncSemaphore) async throws {
        var indices = Array(repeating: [Int](), count: lanes.count)
        var followed = Array(repeating: false, count: events.count)
        var matched = 0
        var lane = 0
        // A filtered feed hands only the events the processor wants, history included: each is
        // asked about once (a prepared interest learns from being asked).
        for index in events.indices where wanted != nil || processor.streams.matches(events[index].streamPath) {
            // Consecutive events of one stream (a batch) share a lane: hash the path once per run.
            if index == 0 || events[index].streamPath != events[index - 1].streamPath {
                lane = Int(StableHash.fnv1a64(events[index].streamPath.rawValue) % UInt64(lanes.count))
            }
            indices[lane].append(index)
            followed[index] = true
            matched += 1
        }
        if matched > 0 { try await inFlight.acquire(matched) }
        progress.withLock { progress in
            for index in events.indices {
                if followed[index] {
                    progress.tracker.dispatched(events[index].position)
                } else {
                    progress.tracker.skipped(events[index].position)
                }
            }
        }
        for (lane, laneIndices) in zip(lanes, indices) where !laneIndices.isEmpty {
            lane.continuation.yield(LaneBatch(events: events, indices: laneIndices))
        }
    }

    /// Prepares the interest, again after a failure (a store that is away): until it has, the
    /// processor is handed every event, which costs time but loses nothing. Ends when cancelled.
    private func prepareRetrying(_ prepared: any PreparedInterest) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await prepared.prepare(reading: store)
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot read the store to learn which events to skip; trying again", metadata: ["spool.error": "\(error)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// The events a processor following `streams` with `interest` wants: those it is interested in,
    /// and the pause switches the runtime tracks for it.
    private static func wants(_ streams: StreamPattern, _ interest: any EventInterest) -> @Sendable (Event) -> Bool {
        { event in streams.matches(event.streamPath) && (StreamPause.isSwitch(event.type) || interest.isInterested(in: event)) }
    }

    /// Handles the events of the streams hashed to one lane, in order. Once the runner is
    /// stopped it starts no reaction: the events not handled hold the checkpoint back, so the
    /// next start handles them.
    private func runLane(_ batches: AsyncStream<LaneBatch>, inFlight: AsyncSemaphore) async throws {
        var cache: [StreamPath: StreamEntry] = [:]
        for await batch in batches {
            let (events, indices) = (batch.events, batch.indices)
            defer { inFlight.release(indices.count) }
            guard !isStopped else { continue }
            // A run of one stream's events takes its entry out of the cache once, not once per event.
            var start = 0
            var handled = indices.count
            runs: while start < indices.count {
                let stream = events[indices[start]].streamPath
                var end = start + 1
                while end < indices.count, events[indices[end]].streamPath == stream { end += 1 }
                var entry = cache.removeValue(forKey: stream)
                var next = start
                while next < end {
                    // Most events fold in memory without suspending; the rest take `handle`'s path.
                    let stop = foldInMemory(events, indices[next..<end], entry: &entry)
                    guard stop.index < end else { break }
                    do {
                        guard !isStopped else { throw CancellationError() }
                        try await handleRetrying(events[indices[stop.index]], entry: &entry, reduced: stop.reduced)
                    } catch is CancellationError where isStopped {
                        // Not reacted to: an entry that has reduced the event must not be kept.
                        if !stop.reduced, let entry { cache[stream] = entry }
                        handled = stop.index
                        break runs
                    }
                    next = stop.index + 1
                }
                if let entry { cache[stream] = entry }
                start = end
            }
            progress.withLock { progress in
                for index in indices[..<handled] { progress.tracker.completed(events[index].position) }
            }
            if cache.count > configuration.maximumCachedStreams {
                for entry in cache { queueSnapshot(of: entry.key, entry.value) }
                cache.removeAll(keepingCapacity: true)
            }
        }
        for entry in cache where entry.value.offset > entry.value.snapshotOffset {
            queueSnapshot(of: entry.key, entry.value)
        }
    }

    /// Handles an event, waiting out store trouble (a database that is away): skipping the
    /// event would lose its reaction for good, so the lane waits and tries again.
    /// - Parameter reduced: the entry has reduced `event` already (`foldInMemory` stopped at its reaction).
    private func handleRetrying(_ event: Event, entry: inout StreamEntry?, reduced: Bool = false) async throws {
        var reduced = reduced
        for failure in 1... {
            do {
                return try await handle(event, entry: &entry, reduced: reduced)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                reduced = false  // the entry was dropped: the retry refolds from the last snapshot
                let delay = Self.storeTroubleRetry.delay(afterFailure: min(failure, 10)) ?? .seconds(5)
                logger.error(
                    "could not handle event; trying again",
                    metadata: ["spool.stream": "\(event.streamPath)", "spool.offset": "\(event.offset)", "spool.error": "\(error)", "spool.delay": "\(delay)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Waits between tries at an event the store would not let the runner handle.
    private static var storeTroubleRetry: RetryPolicy { RetryPolicy(attempts: 11, initialDelay: .milliseconds(100), maximumDelay: .seconds(5)) }

    /// Handles one event with its stream's entry (`nil`: not in memory, so loaded from the
    /// snapshot). On an error the entry is dropped, so a retry starts from the last snapshot
    /// and refolds: nothing half-done (reduced but not reacted to) is kept.
    private func handle(_ event: Event, entry stored: inout StreamEntry?, reduced: Bool) async throws {
        // Taken out while it changes, so the state is not copied on write.
        let cached = stored.take()
        var entry: StreamEntry
        if reduced, let cached {
            entry = cached  // only the reaction is left
        } else {
            if let cached { entry = cached } else { entry = try await loadEntry(event.streamPath) }
            guard event.offset > entry.offset else {  // handled before a restart
                stored = entry
                return
            }
            // A cached entry has seen every event of its stream this runner wanted; one just
            // loaded from a snapshot may be behind the event (events before a restart).
            if cached == nil, event.offset > entry.offset + 1 {
                try await refold(&entry, stream: event.streamPath, through: event.offset - 1)
            }
            await reduce(&entry, event)
        }
        if !entry.paused, processor.reacts(to: event, state: entry.state) {
            try await react(to: event, state: entry.state)
        }
        if snapshotIsDue(after: event, offset: entry.offset, snapshotOffset: entry.snapshotOffset) {
            queueSnapshot(of: event.streamPath, entry)
            entry.snapshotOffset = entry.offset
        }
        stored = entry
    }

    /// Folds a run of one stream's events while nothing needs `handle`'s slower path: the
    /// stream's state is in memory, the reducer runs here (not offloaded), and the processor
    /// does not react. It never suspends: per event, an `async` call costs more than most
    /// reducers.
    /// - Parameter run: indices into `events` of the run's events.
    /// - Returns: the index into `run` of the first event not finished (`run.endIndex` if
    ///   none), and whether that event is reduced already (the processor reacts to it).
    private func foldInMemory(_ events: [Event], _ run: ArraySlice<Int>, entry stored: inout StreamEntry?) -> (index: Int, reduced: Bool) {
        // Taken out while it changes, so the state is not copied on write.
        guard offloaded == nil, var entry = stored.take() else { return (run.startIndex, false) }
        var stop = (index: run.endIndex, reduced: false)
        for index in run.indices {
            let event = events[run[index]]
            // An entry in memory has seen every event of its stream this runner wanted.
            if event.offset <= entry.offset { continue }  // handled before a restart
            processor.reduce(into: &entry.state, event: event)
            entry.paused = StreamPause.isPaused(after: event.type, wasPaused: entry.paused)
            entry.offset = event.offset
            if !entry.paused, processor.reacts(to: event, state: entry.state) {
                stop = (index, true)
                break
            }
            if snapshotIsDue(after: event, offset: entry.offset, snapshotOffset: entry.snapshotOffset) {
                queueSnapshot(of: event.streamPath, entry)
                entry.snapshotOffset = entry.offset
            }
        }
        stored = entry
        return stop
    }

    /// Whether the stream's state is to be snapshotted after `event`: at once if the processor
    /// says so, else every `snapshotInterval` events.
    private func snapshotIsDue(after event: Event, offset: Int, snapshotOffset: Int) -> Bool {
        if let snapshotPolicy, snapshotPolicy.snapshotsImmediately(after: event) { return true }
        return offset - snapshotOffset >= configuration.snapshotInterval
    }

    /// Calls `afterAppend`, retrying with backoff; a final failure becomes `spool/processor-failed`.
    private func react(to event: Event, state: Processor.State) async throws {
        guard !Reaction.isOwnFailure(event, processor: processor.name) else { return }
        let store = self.store
        let outcome = try await Reaction.attempt(
            processor, event: event, state: state, keyName: storageName, retry: configuration.retry
        ) { inputs, path in
            try await store.append(inputs, to: path).events
        }
        guard case .failed(let error) = outcome else { return }
        progress.withLock { $0.failures += 1 }
        logger.warning("afterAppend failed", metadata: ["spool.stream": "\(event.streamPath)", "spool.offset": "\(event.offset)", "spool.error": "\(error)"])
        do {
            try await store.append(Reaction.failureRecord(processor: processor.name, event: event, error: error), to: event.streamPath)
        } catch let error as SpoolError where error.code == .streamPaused {
            return
        }
    }
}

/// One lane of a runner: its batches, in order. Outside the generic runner (as
/// `LaneBatch` is) so its type metadata is made once, not looked up per batch.
private typealias Lane = (stream: AsyncStream<LaneBatch>, continuation: AsyncStream<LaneBatch>.Continuation)

/// A lane's share of a feed delivery: the delivery's events, shared by every lane, and
/// the indices of this lane's among them. Copying an event retains each of its strings,
/// which every processor's every lane would otherwise do for every event.
private struct LaneBatch: Sendable {
    let events: [Event]
    let indices: [Int]
}
