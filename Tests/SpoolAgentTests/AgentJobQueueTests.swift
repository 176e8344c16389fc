import SpoolCore
import SpoolTesting
import Testing

@testable import SpoolAgent

/// What the queue remembers of cancelled requests, and for how long; how it stops the jobs streaming them.
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

    /// What stops a job streaming `req-1` of the stream: a cancellation of it, or a newer job.
    enum Stop: CaseIterable { case cancellation, newerJob }

    @Test(arguments: Stop.allCases) func aStopEndsTheStreamingJobAtOnce(_ stop: Stop) async throws {
        let queue = AgentJobQueue()
        let (stream, generation) = (stream, queue.supersede(stream))
        let (started, start) = AsyncStream<Void>.makeStream()
        // Throws TimeLimitExceeded when the job goes on streaming.
        try await withTimeLimit(.seconds(30)) {
            async let run: Void = queue.runUntilStopped(stream, requestId: "req-1", generation: generation) {
                start.finish()
                try await Task.sleep(for: .seconds(60))  // a provider that stalls
            }
            for await _ in started {}
            switch stop {
            case .cancellation: queue.cancel(stream, requestId: "req-1")
            case .newerJob: queue.supersede(stream)
            }
            try await run
        }
    }

    @Test func aJobStoppedBeforeItStartsDoesNotRun() async throws {
        let queue = AgentJobQueue()
        let generation = queue.supersede(stream)
        queue.cancel(stream, requestId: "req-1")
        try await queue.runUntilStopped(stream, requestId: "req-1", generation: generation) {
            Issue.record("a cancelled request was streamed")
        }
        let older = queue.supersede(other)
        queue.supersede(other)
        try await queue.runUntilStopped(other, requestId: "req-1", generation: older) {
            Issue.record("a superseded job streamed")
        }
    }

    @Test func otherStopsLeaveTheJobStreaming() async throws {
        let queue = AgentJobQueue()
        let (stream, other, generation) = (stream, other, queue.supersede(stream))
        let (started, start) = AsyncStream<Void>.makeStream()
        let (release, released) = AsyncStream<Void>.makeStream()
        let (ends, end) = AsyncStream<Void>.makeStream()
        try await withTimeLimit(.seconds(30)) {
            async let run: Void = queue.runUntilStopped(stream, requestId: "req-2", generation: generation) {
                start.finish()
                for await _ in release {}
                try Task.checkCancellation()
                end.yield()  // streamed to its end
            }
            for await _ in started {}
            queue.cancel(stream, requestId: "req-1")
            queue.cancel(other, requestId: "req-2")
            queue.supersede(other)
            try await Task.sleep(for: .milliseconds(100))
            released.finish()
            try await run
        }
        end.finish()
        var endings = ends.makeAsyncIterator()
        #expect(await endings.next() != nil, "the job was stopped by another request's cancellation")
    }
}
