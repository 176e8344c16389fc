import SpoolCore
import SpoolJS
import Synchronization
import Testing

/// A sandbox's heap is limited: over its limit, during a call or after it, the sandbox stops for
/// good. Every script here allocates a bounded amount (128 MiB at most), so that without a limit it
/// ends by itself rather than taking the machine's memory.
@Suite(.timeLimit(.minutes(3))) struct JSMemoryLimitTests {
    static let limit = 8 << 20

    /// Keeps 4,096 arrays of 32 KiB (128 MiB) in one call, unless stopped.
    static let hog = "function hog() { const kept = []; for (let i = 0; i < 4096; i++) kept.push(new Array(4096).fill(i + 0.5)); return kept.length; }"

    /// The MiB a memory error says were used ("used 17.5 MiB of memory, …").
    static func mebibytesUsed(_ error: JSError) -> Double? {
        guard let used = error.message.firstMatch(of: /used ([0-9.]+) MiB of memory/) else { return nil }
        return Double(used.1)
    }

    @Test func aCallThatKeepsAllocatingIsStoppedDuringTheCall() throws {
        let sandbox = try JSSandbox(memoryLimit: Self.limit)
        try sandbox.evaluate(Self.hog)
        let error = try #require(throws: JSError.self) { try sandbox.call("hog", arguments: [], timeLimit: .seconds(30)) }
        #expect(error.kind == .memoryLimit, "\(error)")
        #expect(error.message.contains("over its limit of 8 MiB"), "\(error)")
        // Stopped on the way: measured after the call, the heap would have held the whole 128 MiB.
        let used = try #require(Self.mebibytesUsed(error), "\(error)")
        #expect(used > 8 && used < 64, "\(error)")
        #expect(sandbox.memoryFailure == error)
    }

    @Test func memoryKeptAcrossCallsStopsTheSandboxAndItRunsNothingMore() throws {
        let sandbox = try JSSandbox(memoryLimit: Self.limit)
        try sandbox.evaluate("var kept = []; function keep() { kept.push(new Array(131072).fill(kept.length + 0.5)); return kept.length; }")
        var kept = 0
        var failure: JSError?
        for _ in 0..<64 {  // 1 MiB a call
            do {
                kept = Int(try sandbox.call("keep", arguments: []).intValue ?? 0)
            } catch let error as JSError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "64 MiB kept under a limit of 8 MiB")
        #expect(error.kind == .memoryLimit, "\(error)")
        #expect(kept >= 2 && kept < 64, "the first calls ran; \(kept) MiB kept before the stop")
        #expect((Self.mebibytesUsed(error) ?? 0) > 8, "\(error)")
        #expect(throws: error) { try sandbox.evaluate("1 + 1") }
        #expect(throws: error) { try sandbox.call("keep", arguments: []) }
    }

    /// What counts is what the heap holds, not what was ever allocated.
    @Test func garbageDoesNotCount() throws {
        let sandbox = try JSSandbox(memoryLimit: Self.limit)
        let churn = "function churn() { let sum = 0; for (let i = 0; i < 8192; i++) { const a = new Array(4096).fill(i); sum += a[i % 4096]; } return sum > 0; }"
        try sandbox.evaluate(churn)
        for _ in 0..<3 {  // 256 MiB of arrays a call, one at a time
            #expect(try sandbox.call("churn", arguments: [], timeLimit: .seconds(30)) == true)
        }
        #expect(sandbox.memoryFailure == nil)
    }

    /// Long calls are looked at every few milliseconds; the CPU time limit still counts the whole call.
    @Test func aLongCallRunsToItsEndAndTheCPULimitCountsAllOfIt() throws {
        let sandbox = try JSSandbox(memoryLimit: Self.limit)
        try sandbox.evaluate("function busy(ms) { const until = Date.now() + ms; let n = 0; while (Date.now() < until) n++; return n > 0; }")
        #expect(try sandbox.call("busy", arguments: [300], timeLimit: .seconds(30)) == true)
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(throws: JSError.self) { try sandbox.call("busy", arguments: [60_000], timeLimit: .milliseconds(300)) }
        #expect(error.kind == .timeout, "\(error)")
        #expect(clock.now - started >= .milliseconds(300))
        #expect(clock.now - started < .seconds(20))
    }

    @Test func theQueueDropsASandboxOverItsLimitAndRunsNothingMore() async throws {
        let queue = JSSandboxQueue(label: "memory-test", memoryLimit: Self.limit)
        let seen = WeakSandbox()
        try await queue.run { sandbox in
            seen.sandbox = sandbox
            try sandbox.evaluate(Self.hog)
        }
        #expect(seen.sandbox != nil)
        await #expect(throws: JSError.self) { try await queue.run { sandbox in try sandbox.call("hog", arguments: [], timeLimit: .seconds(30)) } }
        #expect(seen.sandbox == nil, "the sandbox, and its heap, were released")
        let failure = try #require(queue.memoryFailure)
        #expect(failure.kind == .memoryLimit)
        let ran = Counter()
        await #expect(throws: failure) { try await queue.run { _ in ran.add() } }
        #expect(throws: failure) { try queue.runSynchronously { _ in ran.add() } }
        #expect(ran.value == 0, "no new sandbox is made")
    }

    @Test func sizesReadAsBinaryUnits() throws {
        let sandbox = try JSSandbox(memoryLimit: 1 << 20)
        try sandbox.evaluate(Self.hog)
        let error = try #require(throws: JSError.self) { try sandbox.call("hog", arguments: [], timeLimit: .seconds(30)) }
        #expect(error.message.hasSuffix("over its limit of 1 MiB"), "\(error)")
        #expect(error.message.firstMatch(of: /^used [0-9]+(\.[0-9])? MiB of memory/) != nil, "\(error)")
    }
}

/// Where a test keeps a weak reference to the sandbox a queue made (set on the queue, read after the run).
private final class WeakSandbox: @unchecked Sendable {
    weak var sandbox: JSSandbox?
}

private final class Counter: Sendable {
    private let count = Atomic(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add() { count.add(1, ordering: .relaxed) }
}
