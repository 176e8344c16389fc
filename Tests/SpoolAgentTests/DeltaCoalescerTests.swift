import SpoolAgent
import Testing

/// How streamed text is grouped into `llm/output-delta` events.
struct DeltaCoalescerTests {
    let start = ContinuousClock.now

    @Test func textIsHeldUntilItIsLongOrOld() {
        var coalescer = DeltaCoalescer()
        #expect(coalescer.add("Hel", now: start) == nil)
        #expect(coalescer.add("lo", now: start + .milliseconds(10)) == nil)
        #expect(coalescer.add(", world", now: start + .milliseconds(50)) == "Hello, world")
        #expect(coalescer.add(String(repeating: "a", count: 200), now: start + .milliseconds(51))?.count == 200)
        #expect(coalescer.flush() == nil)
    }

    /// What waits while nothing more comes goes out once it is `maximumDelay` old, and only then.
    @Test func heldTextIsDueAfterTheDelay() {
        var coalescer = DeltaCoalescer()
        #expect(coalescer.flushIfDue(now: start) == nil, "nothing held")
        #expect(coalescer.add("Let me think", now: start) == nil)
        #expect(coalescer.flushIfDue(now: start + .milliseconds(49)) == nil)
        #expect(coalescer.flushIfDue(now: start + .milliseconds(50)) == "Let me think")
        #expect(coalescer.flushIfDue(now: start + .seconds(1)) == nil, "given out once")
        #expect(coalescer.add("…", now: start + .seconds(2)) == nil, "a new wait starts with the next text")
        #expect(coalescer.flushIfDue(now: start + .seconds(2) + .milliseconds(10)) == nil)
        #expect(coalescer.flush() == "…")
    }
}
