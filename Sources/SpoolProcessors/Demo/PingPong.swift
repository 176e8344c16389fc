import SpoolCore

/// A demo processor: for every `demo/ping` it appends `demo/pong {pingOffset, pings}`,
/// where `pings` counts the pings of that stream so far. `spool serve --demo` runs
/// it on `/demo/**`; the crash-recovery tests use it to count reactions.
public struct PingPong: StreamProcessor {
    public struct State: Codable, Sendable, Equatable {
        public var pings = 0
        public var pongs = 0
    }

    public let name = "demo-ping-pong"
    public let streams: StreamPattern
    public let initialState = State()
    /// A pause before each pong, to make reactions slow enough to interrupt.
    public let delay: Duration

    public init(streams: StreamPattern = "/demo/**", delay: Duration = .zero) {
        self.streams = streams
        self.delay = delay
    }

    public func reduce(into state: inout State, event: Event) {
        switch event.type {
        case "demo/ping": state.pings += 1
        case "demo/pong": state.pongs += 1
        default: break
        }
    }

    public func afterAppend(event: Event, state: State, context: ProcessorContext) async throws {
        guard event.type == "demo/ping" else { return }
        if delay > .zero { try await Task.sleep(for: delay) }
        try await context.append(
            AppendInput(type: "demo/pong", payload: ["pingOffset": .int(Int64(event.offset)), "pings": .int(Int64(state.pings))]))
    }
}
