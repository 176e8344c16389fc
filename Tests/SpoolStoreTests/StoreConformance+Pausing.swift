import SpoolCore
import SpoolStore
import Testing

/// Paused streams (the circuit breaker's brake).
extension StoreConformance {
    /// After `spool/stream-paused` a stream refuses appends with `stream_paused`
    /// and stores nothing, except `spool/stream-resumed`, which lets appends in again.
    func pausedStreamsRefuseAppendsUntilResumed() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/runaway")
        let other = try StreamPath("/agents/calm")
        try await store.append(note(1), to: path)
        try await store.append(AppendInput(type: StreamPause.pausedType, payload: ["reason": "too fast"]), to: path)
        #expect(try await store.streams(prefix: .root).first { $0.path == path }?.paused == true)

        let refused = await spoolError { try await store.append(note(2), to: path) }
        #expect(refused?.code == .streamPaused)
        #expect(refused?.details["headOffset"] == .int(2))
        let refusedBatch = await spoolError {
            try await store.append([try note(3), try AppendInput(type: StreamPause.resumedType)], to: path)
        }
        #expect(refusedBatch?.code == .streamPaused, "a batch must resume before it appends")
        #expect(try await store.headOffset(of: path) == 2)
        try await store.append(note(1), to: other)

        let resumed = try await store.append([try AppendInput(type: StreamPause.resumedType), try note(4)], to: path)
        #expect(resumed.events.map(\.offset) == [3, 4])
        #expect(try await store.streams(prefix: .root).first { $0.path == path }?.paused == false)
    }
}
