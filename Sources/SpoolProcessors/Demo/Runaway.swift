import SpoolCore

/// A deliberately broken processor for demonstrating (and measuring) the circuit
/// breaker: every `loop/tick` — and every resume — appends another `loop/tick`,
/// an agent stuck talking to itself.
public struct Runaway: StreamProcessor {
    public let name = "demo-runaway"
    public let streams: StreamPattern
    public let initialState = 0

    public init(streams: StreamPattern = "/loop/**") { self.streams = streams }

    public func reduce(into state: inout Int, event: Event) { state += 1 }

    public func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
        guard event.type == "loop/tick" || event.type == StreamPause.resumedType else { return }
        try await context.append(AppendInput(type: "loop/tick"))
    }
}
