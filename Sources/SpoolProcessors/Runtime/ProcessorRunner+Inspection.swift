import Foundation
import SpoolCore
import SpoolStore

/// What a runner tells about its processor: states (as of any offset), snapshots, status.
extension ProcessorRunner {
    /// Every stream's state as last snapshotted, with the offset it is the state as of
    /// (for services that act on all streams at start).
    func snapshots() async throws -> [StreamPath: (offset: Int, state: Processor.State)] {
        var states: [StreamPath: (offset: Int, state: Processor.State)] = [:]
        for snapshot in try await store.snapshots(processor: storageName) {
            guard let envelope = try? JSONDecoder().decode(SnapshotEnvelope.self, from: Data(snapshot.stateJSON.utf8)) else {
                continue
            }
            states[snapshot.stream] = (snapshot.offset, envelope.state)
        }
        return states
    }

    func state(of stream: StreamPath, at offset: Int?) async throws -> (offset: Int, state: JSONValue) {
        guard processor.streams.matches(stream) else {
            throw SpoolError(.notFound, "processor \(processor.name) does not follow \(stream) (it follows \(processor.streams))")
        }
        guard let head = try await store.headOffset(of: stream) else {
            throw SpoolError(.streamNotFound, "stream \(stream) has no events")
        }
        let target = min(offset ?? head, head)
        var entry = try await loadEntry(stream)
        if entry.offset > target {
            entry = StreamEntry(offset: 0, state: processor.initialState, paused: false, snapshotOffset: 0)
        }
        try await refold(&entry, stream: stream, through: target)
        do {
            return (entry.offset, try ProcessorStateJSON.value(of: entry.state))
        } catch {
            throw SpoolError(.internalError, "state of \(processor.name) is not JSON: \(error)")
        }
    }

    var savedCheckpoint: Int { progress.withLock { $0.savedCheckpoint } }

    func status(headPosition: Int, runsHere: Bool) async throws -> ProcessorStatus {
        var (checkpoint, failures) = progress.withLock { ($0.savedCheckpoint, $0.failures) }
        // Running on another node (which holds the lease), it is as far as that node saved.
        if !runsHere { checkpoint = try await store.checkpoint(for: consumerName) }
        return ProcessorStatus(
            name: processor.name, storageName: storageName, streams: processor.streams, checkpoint: checkpoint, headPosition: headPosition,
            failures: failures, runsHere: runsHere)
    }
}
