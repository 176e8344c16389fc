import SpoolCore
import Synchronization

/// Counts every `afterAppend` call per (stream, offset), to prove none is repeated or skipped,
/// and reacts to `test/ping` with `test/pong`.
final class ReactionLog: Sendable {
    private let calls = Mutex<[String: Int]>([:])
    private let order = Mutex<[String: [Int]]>([:])

    func record(_ event: Event) {
        calls.withLock { $0["\(event.streamPath)@\(event.offset)", default: 0] += 1 }
        order.withLock { $0[event.streamPath.rawValue, default: []].append(event.offset) }
    }

    var counts: [String: Int] { calls.withLock { $0 } }
    func offsets(of stream: String) -> [Int] { order.withLock { $0[stream] ?? [] } }
    var total: Int { calls.withLock { $0.values.reduce(0, +) } }
}

struct RecordingProcessor: StreamProcessor {
    struct State: Codable, Sendable, Equatable {
        var count = 0
        var types: [String: Int] = [:]
    }

    let name: String
    let streams: StreamPattern
    let log: ReactionLog
    var failOn: String? = nil
    var failOnEverything = false
    let initialState = State()

    func reduce(into state: inout State, event: Event) {
        state.count += 1
        state.types[event.type, default: 0] += 1
    }

    func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        log.record(event)
        if event.type == failOn || failOnEverything { throw TestFailure(message: "planned failure") }
        if event.type == "test/ping" {
            try await context.append(AppendInput(type: "test/pong", payload: ["count": .int(Int64(state.count))]))
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Appends `test/effect`, then fails its first `failedAttempts` attempts; then appends `test/done`.
struct AppendsThenFails: StreamProcessor {
    let name = "appends-then-fails"
    let streams: StreamPattern = "/retry/**"
    let initialState = 0
    let failedAttempts: Int
    let log = ReactionLog()

    func reduce(into state: inout Int, event: Event) {}

    func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
        guard event.type == "test/ping" else { return }
        log.record(event)
        let attempt = log.total
        try await context.append(AppendInput(type: "test/effect"))
        if attempt <= failedAttempts { throw TestFailure(message: "failed after the effect") }
        try await context.append(AppendInput(type: "test/done"))
    }
}

/// A `RecordingProcessor` that wants only `test/*` events (and, like every processor, pause switches).
struct SelectiveProcessor: StreamProcessor, EventInterest {
    let recorder: RecordingProcessor
    var name: String { recorder.name }
    var streams: StreamPattern { recorder.streams }
    var initialState: RecordingProcessor.State { recorder.initialState }

    func isInterested(in event: Event) -> Bool { event.type.hasPrefix("test/") }

    func reduce(into state: inout RecordingProcessor.State, event: Event) {
        if isInterested(in: event) { recorder.reduce(into: &state, event: event) }
    }

    func afterAppend(event: Event, state: RecordingProcessor.State, context: ProcessorContext) async throws {
        try await recorder.afterAppend(event: event, state: state, context: context)
    }
}

/// Folds every event but says it reacts to pings only, so the runtime calls its
/// `afterAppend` for nothing else.
struct PingReactor: StreamProcessor {
    let recorder: RecordingProcessor
    var name: String { recorder.name }
    var streams: StreamPattern { recorder.streams }
    var initialState: RecordingProcessor.State { recorder.initialState }

    func reduce(into state: inout RecordingProcessor.State, event: Event) { recorder.reduce(into: &state, event: event) }

    func reacts(to event: Event, state: RecordingProcessor.State) -> Bool { event.type == "test/ping" }

    func afterAppend(event: Event, state: RecordingProcessor.State, context: ProcessorContext) async throws {
        try await recorder.afterAppend(event: event, state: state, context: context)
    }
}
