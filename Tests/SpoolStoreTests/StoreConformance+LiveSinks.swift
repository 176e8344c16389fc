import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// Live reads with a sink: once a tail has caught up, committed events go to its sink;
/// what the iterator returned and what the sink wrote are still every event once, in order.
extension StoreConformance {
    /// A reader with a sink joins during a burst of 1,000 single appends.
    func sinkTakesTheEventsOfACaughtUpTail() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/sink")
        let total = 1000
        let sink = RecordingSink()
        try await withTimeLimit(.seconds(120)) {
            let appending = Task { for n in 1...total { try await store.append(note(n), to: path) } }
            while try await store.headOffset(of: path) ?? 0 < total / 4 { try await Task.sleep(for: .milliseconds(1)) }
            let tail = store.tail(path).handingLiveEvents(to: sink)
            let reading = Task { try await Self.events(from: tail) }
            try await appending.value
            let read = try await Self.finish(tail, reading: reading, sink: sink, store: store, path: path, sentinel: total + 1)
            expectSequence((read + sink.written).map(\.offset), equals: Array(1...(total + 1)), "offsets read, then written by the sink")
            #expect(!sink.isActive, "the sink was not stopped when the read ended")
        }
    }

    /// A sink that falls behind hands the read back: the tail catches up from the store,
    /// from the last event the sink wrote, then hands it to the sink again.
    func sinkThatFallsBehindHandsTheReadBack() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/sink/slow")
        let sink = RecordingSink(fallingBehindAfter: 5)
        _ = try await store.append(notes(1...3), to: path)
        try await withTimeLimit(.seconds(120)) {
            let tail = store.tail(path).handingLiveEvents(to: sink)
            let reading = Task { try await Self.events(from: tail) }
            #expect(await eventually(timeout: .seconds(30)) { sink.isActive }, "the tail never caught up")
            for n in 4...50 { try await store.append(note(n), to: path) }
            let read = try await Self.finish(tail, reading: reading, sink: sink, store: store, path: path, sentinel: 51)
            #expect(sink.written.prefix(5).map(\.offset) == Array(4...8), "the sink wrote what came before it fell behind")
            #expect(sink.starts >= 2, "the tail did not hand the read to the sink again after catching up")
            let all = (read + sink.written).sorted { $0.offset < $1.offset }
            expectSequence(all.map(\.offset), equals: Array(1...51), "offsets read or written by the sink")
        }
    }

    /// Every event a tail's iterator returns until it ends.
    private static func events(from tail: LiveTail) async throws -> [Event] {
        var iterator = tail.makeAsyncIterator()
        var events: [Event] = []
        while let delivery = try await iterator.next() {
            if case .events(let batch) = delivery { events += batch }
        }
        return events
    }

    /// Waits until the sink takes events, appends `sentinel`, waits for the sink to write it,
    /// then ends the read. Returns what the iterator returned.
    private static func finish(
        _ tail: LiveTail, reading: Task<[Event], any Error>, sink: RecordingSink, store: some EventStore,
        path: StreamPath, sentinel: Int
    ) async throws -> [Event] {
        #expect(await eventually(timeout: .seconds(30)) { sink.isActive }, "the tail never handed its events to the sink")
        try await store.append(note(sentinel), to: path)
        #expect(await eventually(timeout: .seconds(30)) { sink.written.last?.offset == sentinel }, "the sink never got the sentinel")
        tail.close()
        return try await reading.value
    }
}
