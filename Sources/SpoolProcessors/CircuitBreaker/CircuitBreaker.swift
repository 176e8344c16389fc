import SpoolCore

/// Pauses a stream that receives more than `maxEvents` events within
/// `windowSeconds` (by the events' `createdAt`), by appending
/// `spool/stream-paused {reason, maxEvents, windowSeconds}`; the store then
/// refuses appends to it until `spool/stream-resumed`.
///
/// The limit is 100 events per second unless the processor is made with
/// others; `spool/circuit-breaker-configured {maxEvents, windowSeconds}`
/// sets it for one stream.
public struct CircuitBreaker: StreamProcessor {
    /// `{maxEvents, windowSeconds}`: sets the limit of the stream it is appended to.
    public static let configuredType = "spool/circuit-breaker-configured"

    public let name = "circuit-breaker"
    public let streams = StreamPattern.all
    /// The limit of streams that did not configure their own.
    public let defaultConfiguration: Configuration

    /// - Parameters:
    ///   - maxEvents: the most events a stream may receive within the window.
    ///   - windowSeconds: the length of the sliding window.
    public init(maxEvents: Int = 100, windowSeconds: Double = 1) {
        defaultConfiguration = Configuration(maxEvents: maxEvents, windowSeconds: windowSeconds)
    }

    public var initialState: State { State(configuration: defaultConfiguration) }

    /// Counts the event into the window; pause, resume and configuration
    /// events change the state instead. Uses `createdAt`, never the clock.
    public func reduce(into state: inout State, event: Event) {
        switch event.type {
        case StreamPause.pausedType:
            state.isPaused = true
            state.recentEventTimes.removeAll()
        case StreamPause.resumedType:
            state.isPaused = false
            state.recentEventTimes.removeAll()  // count afresh after a resume
        case Self.configuredType:
            if let configuration = try? Configuration(payload: event.payload) {
                state.configuration = configuration
            }
            state.record(event.createdAt)
        default:
            state.record(event.createdAt)
        }
    }

    /// Pauses the stream when the window holds too many events. The derived
    /// idempotency key makes the pause appended once even if this runs again.
    /// Only a stream over its limit, not paused yet, is paused; a configuration it cannot
    /// use is reported.
    public func reacts(to event: Event, state: State) -> Bool {
        event.type == Self.configuredType || Self.pauses(after: event, state: state)
    }

    /// Whether the stream is over its limit and not paused yet (nor being paused or resumed by `event`).
    static func pauses(after event: Event, state: State) -> Bool {
        !state.isPaused && state.isOverLimit && event.type != StreamPause.pausedType && event.type != StreamPause.resumedType
    }

    public func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        if event.type == Self.configuredType {
            do {
                _ = try Configuration(payload: event.payload)
            } catch {
                try await ConfigurationRefusal.report(error, on: event, processor: name, context: context)
            }
        }
        guard Self.pauses(after: event, state: state) else { return }
        let configuration = state.configuration
        let input = try AppendInput(
            type: StreamPause.pausedType,
            payload: [
                "reason": .string(
                    "more than \(configuration.maxEvents) events within \(configuration.windowSecondsText) s"),
                "maxEvents": .int(Int64(configuration.maxEvents)),
                "windowSeconds": configuration.windowSecondsJSON,
            ])
        do {
            try await context.append(input)
        } catch let error as SpoolError where error.code == .streamPaused {
            // Events appended before the pause landed see the stream unpaused here;
            // the store answering that it is paused is the outcome we wanted.
        }
    }
}
