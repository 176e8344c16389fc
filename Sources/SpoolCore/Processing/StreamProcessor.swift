/// A stream processor: a pure `reduce` folds each stream it follows into
/// state, and `afterAppend` performs side effects after an event is durably
/// stored, appending their results as new events through the context.
///
/// ```swift
/// struct Counter: StreamProcessor {
///     let name = "counter"
///     let streams: StreamPattern = "/demo/**"
///     let initialState = 0
///     func reduce(into state: inout Int, event: Event) { state += 1 }
///     func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
///         if event.type == "demo/ping" {
///             try await context.append(AppendInput(type: "demo/pong", payload: ["seen": .int(Int64(state))]))
///         }
///     }
/// }
/// ```
public protocol StreamProcessor: Sendable {
    associatedtype State: Codable & Sendable

    /// Stable: it names checkpoints, snapshots and the idempotency keys of what the processor appends.
    var name: String { get }
    /// The streams this processor follows.
    var streams: StreamPattern { get }
    /// The state of a stream before its first event.
    var initialState: State { get }
    /// Folds one event into the stream's state. Pure: no I/O, no clock, no randomness.
    func reduce(into state: inout State, event: Event)
    /// Reacts to a stored event, seeing the state after reducing it.
    func afterAppend(event: Event, state: State, context: ProcessorContext) async throws
    /// Whether `afterAppend` may do anything for `event` in `state`: a cheap, pure check
    /// that lets the runtime skip the call (and making its context) for the many events
    /// a processor only folds. False must mean `afterAppend` would do nothing.
    func reacts(to event: Event, state: State) -> Bool
}

extension StreamProcessor {
    /// By default a processor only reduces.
    public func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {}

    /// By default `afterAppend` is called for every event.
    public func reacts(to event: Event, state: State) -> Bool { true }
}
