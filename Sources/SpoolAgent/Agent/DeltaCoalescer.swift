/// Groups streamed text into `llm/output-delta` events: one every ≈ 50 ms or
/// 200 characters, so a long answer is tens of events, not thousands. Text that
/// waits longer than that for more (the model paused) goes out on its own, through
/// `flushIfDue`, which the streaming loop calls when nothing arrived for a while. Pure.
public struct DeltaCoalescer: Sendable {
    public var maximumCharacters = 200
    public var maximumDelay: Duration = .milliseconds(50)
    private var pending = ""
    private var pendingSince: ContinuousClock.Instant?

    public init() {}

    /// Adds text; returns a delta to append now, if one is due.
    public mutating func add(_ text: String, now: ContinuousClock.Instant) -> String? {
        if pending.isEmpty { pendingSince = now }
        pending += text
        guard pending.count >= maximumCharacters || now - (pendingSince ?? now) >= maximumDelay else { return nil }
        return flush()
    }

    /// What is pending, if it has waited `maximumDelay` or longer.
    public mutating func flushIfDue(now: ContinuousClock.Instant) -> String? {
        guard let pendingSince, now - pendingSince >= maximumDelay else { return nil }
        return flush()
    }

    /// Whatever is pending (at the end of the stream).
    public mutating func flush() -> String? {
        guard !pending.isEmpty else { return nil }
        defer {
            pending = ""
            pendingSince = nil
        }
        return pending
    }
}
