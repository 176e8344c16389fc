import Foundation
import Logging
import SpoolCore
import Testing

@testable import SpoolProcessors

/// What the `workers` processor folds: which version of each worker should run.
@Suite struct WorkersStateTests {
    let workers = Workers(manager: WorkerManager(logger: Logger(label: "test")))

    func configured(_ source: String, offset: Int, restores: Int? = nil, timeoutMs: Int? = nil) -> Event {
        var payload: JSONObject = ["name": "counter", "source": .string(source)]
        if let restores { payload["restores"] = .int(Int64(restores)) }
        if let timeoutMs { payload["timeoutMs"] = .int(Int64(timeoutMs)) }
        return TestEvents.event(WorkerSpec.configuredType, .object(payload), offset: offset)
    }

    func failed(sourceOffset: Int, configOffset: Int, offset: Int) -> Event {
        TestEvents.event(
            WorkerSpec.failedType,
            ["name": "counter", "sourceOffset": .int(Int64(sourceOffset)), "configOffset": .int(Int64(configOffset)), "error": "x"],
            offset: offset)
    }

    @Test func aVersionThatFailedToStartGivesWayToTheOneItReplaced() {
        let state = fold(workers, [configured("v1", offset: 1), configured("v2", offset: 2), failed(sourceOffset: 2, configOffset: 2, offset: 3)])
        #expect(state.workers["counter"]?.source == "v1")
        #expect(state.replaced["counter"] == nil)
    }

    @Test func aRunningVersionsOwnFailureChangesNothing() {
        let state = fold(workers, [configured("v1", offset: 1), configured("v2", offset: 2), failed(sourceOffset: 5, configOffset: 2, offset: 6)])
        #expect(state.workers["counter"]?.source == "v2")
        #expect(state.replaced["counter"]?.source == "v1")
    }

    @Test func aRefusedConfigurationLeavesTheRunningVersion() {
        let state = fold(workers, [configured("v1", offset: 1), configured("v2", offset: 2, timeoutMs: 0)])
        #expect(state.workers["counter"]?.source == "v1")
        #expect(state.refused?.contains("timeoutMs") == true)
    }

    @Test func theFirstVersionFailingLeavesNothingToRun() {
        let state = fold(workers, [configured("v1", offset: 1), failed(sourceOffset: 1, configOffset: 1, offset: 2)])
        #expect(state.workers["counter"] == nil)
    }

    @Test func aRemovedWorkerHasNothingToRestore() {
        let removed = TestEvents.event(WorkerSpec.removedType, ["name": "counter"], offset: 3)
        let state = fold(workers, [configured("v1", offset: 1), configured("v2", offset: 2), removed])
        #expect(state.workers["counter"] == nil && state.replaced["counter"] == nil)
    }

    /// A restored version reacts from the failed configuration on (`startsAfter`, a position no
    /// later than its own); any other version from its own configuration.
    @Test func aVersionStartsAfterItsConfigurationOrWhereItWasToldTo() throws {
        let plain = try WorkerSpec(event: configured("v1", offset: 5), limits: WorkerLimits())
        #expect(plain.startPosition == 5)
        var payload: JSONObject = ["name": "counter", "source": "v1", "restores": 1, "startsAfter": 3]
        let restored = try WorkerSpec(event: TestEvents.event(WorkerSpec.configuredType, .object(payload), offset: 5), limits: WorkerLimits())
        #expect(restored.startPosition == 3 && restored.sourcePosition == 5)
        for bad: JSONValue in [6, -1, "3"] {
            payload["startsAfter"] = bad
            #expect(throws: SpoolError.self) {
                try WorkerSpec(event: TestEvents.event(WorkerSpec.configuredType, .object(payload), offset: 5), limits: WorkerLimits())
            }
        }
        // Specs in snapshots taken before versions were restored start where they were configured.
        let old = #"{"name":"counter","source":"v1","allowHosts":[],"stream":"/tests/stream","sourceOffset":2,"sourcePosition":7}"#
        #expect(try JSONDecoder().decode(WorkerSpec.self, from: Data(old.utf8)).startPosition == 7)
    }

    /// Snapshots taken before versions were restored have no `replaced`: they still decode.
    @Test func olderSnapshotsDecode() throws {
        let json = #"{"workers":{},"refused":"no"}"#
        let state = try JSONDecoder().decode(Workers.State.self, from: Data(json.utf8))
        #expect(state.replaced.isEmpty && state.refused == "no")
    }
}
