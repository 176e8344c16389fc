import SpoolCore
import SpoolStore
import Testing

/// Checkpoints and snapshots (`ProcessorStateStore`).
extension StoreConformance {
    private func makeStateStore() async throws -> any EventStore & ProcessorStateStore {
        let store = try await makeStore()
        guard let stateStore = store as? any EventStore & ProcessorStateStore else {
            throw SpoolError(.internalError, "\(type(of: store)) keeps no processor state")
        }
        return stateStore
    }

    func checkpointsStartAtZeroAndKeepTheLastSaved() async throws {
        let store = try await makeStateStore()
        #expect(try await store.checkpoint(for: "remote:a") == 0)
        try await store.saveCheckpoint(7, for: "remote:a")
        try await store.saveCheckpoint(12, for: "remote:a")
        try await store.saveCheckpoint(3, for: "remote:b")
        #expect(try await store.checkpoint(for: "remote:a") == 12)
        #expect(try await store.checkpoint(for: "remote:b") == 3)
    }

    func snapshotsAreSavedWithTheCheckpointAndNeverMoveBack() async throws {
        let store = try await makeStateStore()
        let ada = try StreamPath("/agents/ada")
        let bob = try StreamPath("/agents/bob")
        #expect(try await store.snapshot(processor: "p", stream: ada) == nil)
        try await store.saveProgress(
            processor: "p",
            snapshots: [StateSnapshot(stream: bob, offset: 2, stateJSON: #"{"b":2}"#), StateSnapshot(stream: ada, offset: 5, stateJSON: #"{"a":5}"#)],
            checkpoint: 40)
        try await store.saveProgress(processor: "p", snapshots: [StateSnapshot(stream: ada, offset: 4, stateJSON: #"{"a":4}"#)], checkpoint: nil)
        #expect(try await store.snapshot(processor: "p", stream: ada) == StateSnapshot(stream: ada, offset: 5, stateJSON: #"{"a":5}"#))
        #expect(try await store.snapshots(processor: "p").map(\.stream) == [ada, bob])
        #expect(try await store.snapshots(processor: "other").isEmpty)
        #expect(try await store.checkpoint(for: "processor:p") == 40)
    }
}
