import Foundation
import SpoolCore
import SpoolStore

/// Folding a stream's events into its state (reduce only): from a snapshot, through pages of
/// stored events (refolding after a restart, or for `GET /state`), and one event at a time.
extension ProcessorRunner {
    /// The stream's state from its snapshot, or the initial state.
    func loadEntry(_ stream: StreamPath) async throws -> StreamEntry {
        guard let snapshot = try await store.snapshot(processor: storageName, stream: stream) else {
            return StreamEntry(offset: 0, state: processor.initialState, paused: false, snapshotOffset: 0)
        }
        do {
            let envelope = try JSONDecoder().decode(SnapshotEnvelope.self, from: Data(snapshot.stateJSON.utf8))
            return StreamEntry(offset: snapshot.offset, state: envelope.state, paused: envelope.paused, snapshotOffset: snapshot.offset)
        } catch {
            // The state type changed since the snapshot: refold from the start.
            logger.warning("ignoring unreadable snapshot", metadata: ["spool.stream": "\(stream)", "spool.error": "\(error)"])
            return StreamEntry(offset: 0, state: processor.initialState, paused: false, snapshotOffset: 0)
        }
    }

    /// Reduces (without reacting) the stored events after `entry.offset` through `target`.
    func refold(_ entry: inout StreamEntry, stream: StreamPath, through target: Int) async throws {
        let store = self.store
        let pageSize = 10_000
        @Sendable func page(after offset: Int) async throws -> [Event] {
            offset < target ? try await store.read(stream, after: offset, limit: min(pageSize, target - offset)) : []
        }
        while entry.offset < target {
            // Reading, not folding, is what takes the time: offsets are gapless, so the
            // next two pages are known in advance and read at once, on two connections.
            async let first = page(after: entry.offset)
            async let second = page(after: entry.offset + pageSize)
            let firstPage = try await first
            guard let end = firstPage.last?.offset else { return }
            await fold(firstPage, into: &entry)
            let secondPage = try await second
            if secondPage.first?.offset == end + 1 { await fold(secondPage, into: &entry) }  // else: a gap, read again
        }
    }

    /// Folds a page of stored events into the entry (reduce only).
    private func fold(_ events: [Event], into entry: inout StreamEntry) async {
        guard let offloaded else {
            var paused = entry.paused
            Self.fold(events, with: processor, into: &entry.state, paused: &paused)
            entry.paused = paused
            entry.offset = events.last?.offset ?? entry.offset
            return
        }
        if let state = await offloaded.reduceBatch(state: entry.state, events: events) as? Processor.State {
            entry.state = state
            for event in events { entry.paused = StreamPause.isPaused(after: event.type, wasPaused: entry.paused) }
            entry.offset = events.last?.offset ?? entry.offset
            return
        }
        for event in events { await reduce(&entry, event) }
    }

    /// The fold loop on plain inout values: touching the generic `StreamEntry`
    /// per event would look its type metadata up each time.
    private static func fold(_ events: [Event], with processor: Processor, into state: inout Processor.State, paused: inout Bool) {
        for event in events {
            processor.reduce(into: &state, event: event)
            paused = StreamPause.isPaused(after: event.type, wasPaused: paused)
        }
    }

    /// Folds one event into the entry: its state, pause flag and offset.
    func reduce(_ entry: inout StreamEntry, _ event: Event) async {
        if let offloaded, let state = await offloaded.reduceOffloaded(state: entry.state, event: event) as? Processor.State {
            entry.state = state
        } else {
            processor.reduce(into: &entry.state, event: event)
        }
        entry.paused = StreamPause.isPaused(after: event.type, wasPaused: entry.paused)
        entry.offset = event.offset
    }
}
