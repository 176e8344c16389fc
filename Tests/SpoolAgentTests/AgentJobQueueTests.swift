import SpoolCore
import Testing

@testable import SpoolAgent

/// What the queue remembers of cancelled requests, and for how long.
@Suite(.timeLimit(.minutes(1))) struct AgentJobQueueTests {
    let stream: StreamPath
    let other: StreamPath

    init() throws {
        stream = try StreamPath("/agents/a")
        other = try StreamPath("/agents/b")
    }

    @Test func aCancellationLastsUntilItsJobStopsStreaming() {
        let queue = AgentJobQueue()
        queue.streamingBegan(stream, requestId: "req-1")
        queue.cancel(stream, requestId: "req-1")
        #expect(queue.isCancelled(stream, requestId: "req-1"))
        #expect(!queue.isCancelled(other, requestId: "req-1"))
        queue.streamingEnded(stream, requestId: "req-1")
        #expect(!queue.isCancelled(stream, requestId: "req-1"))
        #expect(queue.cancellationCount == 0)
    }

    @Test func aCancellationThatComesBeforeItsRequestStreamsIsKept() {
        let queue = AgentJobQueue()
        queue.cancel(stream, requestId: "req-2")
        queue.streamingBegan(stream, requestId: "req-2")
        #expect(queue.isCancelled(stream, requestId: "req-2"))
    }

    @Test func aNewerRequestDropsTheCancellationsOfOlderOnesOfItsStreamOnly() {
        let queue = AgentJobQueue()
        // Cancelled after its job ended, or streamed by no job here (left by a restart).
        queue.cancel(stream, requestId: "req-1")
        queue.cancel(other, requestId: "req-1")
        queue.streamingBegan(stream, requestId: "req-2")
        #expect(!queue.isCancelled(stream, requestId: "req-1"))
        #expect(queue.isCancelled(other, requestId: "req-1"))
        #expect(queue.cancellationCount == 1)
    }

    @Test func cancellationsDoNotAccumulateOverManyRequests() {
        let queue = AgentJobQueue()
        for number in 1...1000 {
            let requestId = "req-\(number)"
            queue.streamingBegan(stream, requestId: requestId)
            queue.cancel(stream, requestId: requestId)
            queue.streamingEnded(stream, requestId: requestId)
            // A late duplicate of the cancellation, after the job ended.
            queue.cancel(stream, requestId: requestId)
        }
        #expect(queue.cancellationCount == 1)
    }
}
