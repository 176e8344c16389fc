import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// Idempotency keys: replays return the original, conflicts are refused.
extension StoreConformance {
    func replayReturnsTheOriginalEvent() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/ada")
        let input = try AppendInput(
            type: "agent/input-added", payload: ["a": 1, "b": ["x", "y"]], metadata: ["try": 1], idempotencyKey: "cli-1")
        let original = try await store.append([input], to: path)
        #expect(original.storedCount == 1 && !original.isReplay)
        _ = try await store.append(notes(1...2), to: path)
        let replay = try await store.append([input], to: path)
        #expect(replay.storedCount == 0 && replay.isReplay)
        #expect(replay.events == original.events)
        // Key order in the payload and the metadata do not matter; the original comes back.
        let reordered = try AppendInput(
            type: "agent/input-added", payload: ["b": ["x", "y"], "a": 1], metadata: ["try": 2], idempotencyKey: "cli-1")
        let second = try await store.append([reordered], to: path)
        #expect(second.storedCount == 0)
        #expect(second.events == original.events)
        #expect(second.events.first?.metadata == ["try": 1])
        #expect(try await store.headOffset(of: path) == 3)
        #expect(try await store.read(path, after: 0, limit: 100).count == 3)
    }

    func reusingAKeyForDifferentContentConflicts() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/ada")
        try await store.append(note(1, key: "k"), to: path)
        let payload = await spoolError { try await store.append(note(2, key: "k"), to: path) }
        #expect(payload?.code == .idempotencyConflict)
        #expect(payload?.details["idempotencyKey"] == "k")
        let type = await spoolError {
            try await store.append(AppendInput(type: "test/other", payload: ["n": 1], idempotencyKey: "k"), to: path)
        }
        #expect(type?.code == .idempotencyConflict)
        let extraMember = await spoolError { try await store.append(note(1, key: "k", extra: ["more": true]), to: path) }
        #expect(extraMember?.code == .idempotencyConflict)
        #expect(try await store.headOffset(of: path) == 1)
    }

    /// Two spellings of one key (`é` as one scalar, or `e` and a combining accent) are two keys,
    /// as the databases compare them, whether they meet in one request, in one group
    /// commit or across commits; Swift's `==` alone would call them equal.
    func keysAreComparedByTheirBytes() async throws {
        let store = try await makeStore()
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed, "Swift's String == sees one key")
        let inOneRequest = try StreamPath("/keys/request")
        let both = try await store.append([try note(1, key: composed), try note(1, key: decomposed)], to: inOneRequest)
        #expect(both.storedCount == 2)
        #expect(both.events.map(\.offset) == [1, 2])
        let acrossRequests = try StreamPath("/keys/requests")
        try await store.append(note(1, key: composed), to: acrossRequests)
        let second = try await store.append([try note(1, key: decomposed)], to: acrossRequests)
        #expect(second.storedCount == 1)
        // Each spelling replays its own event.
        let replay = try await store.append([try note(1, key: decomposed)], to: acrossRequests)
        #expect(replay.isReplay && replay.events.first?.offset == 2)
        let keys = try await store.read(acrossRequests, after: 0, limit: 10).compactMap(\.idempotencyKey)
        #expect(keys.map { Array($0.utf8) } == [Array(composed.utf8), Array(decomposed.utf8)])
    }

    func keysAreScopedToTheirStream() async throws {
        let store = try await makeStore()
        let first = try await store.append(note(1, key: "k"), to: try StreamPath("/a"))
        let second = try await store.append(note(1, key: "k"), to: try StreamPath("/b"))
        let third = try await store.append(note(2, key: "k"), to: try StreamPath("/c"))
        #expect(first.streamPath != second.streamPath)
        #expect([first.offset, second.offset, third.offset] == [1, 1, 1])
        #expect(second.position > first.position && third.position > second.position)
    }

    func eventsWithoutKeysAreNeverDeduplicated() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/plain")
        let a = try await store.append(note(1), to: path)
        let b = try await store.append(note(1), to: path)
        #expect([a.offset, b.offset] == [1, 2])
    }

    /// A retried append with an expected offset replays instead of conflicting.
    func replayIgnoresTheExpectedOffset() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/retry")
        let original = try await store.append(note(1, key: "first", expectedOffset: 0), to: path)
        try await store.append(note(2), to: path)
        let retry = try await store.append([try note(1, key: "first", expectedOffset: 0)], to: path)
        #expect(retry.storedCount == 0)
        #expect(retry.events == [original])
        #expect(try await store.headOffset(of: path) == 2)
    }

    func duplicateKeysInsideOneBatch() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/batch-keys")
        let same = try await store.append([try note(1, key: "k"), try note(2), try note(1, key: "k")], to: path)
        #expect(same.storedCount == 2)
        #expect(same.events.map(\.offset) == [1, 2, 1])
        #expect(same.events[2] == same.events[0])
        let conflict = await spoolError {
            try await store.append([try note(3, key: "j"), try note(4, key: "j")], to: path)
        }
        #expect(conflict?.code == .idempotencyConflict)
        #expect(try await store.read(path, after: 0, limit: 10).compactMap(number(of:)) == [1, 2])
    }

    func batchMixingReplaysAndNewInputs() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/mixed")
        let original = try await store.append(note(1, key: "one"), to: path)
        let result = try await store.append([try note(1, key: "one"), try note(2, key: "two"), try note(3)], to: path)
        #expect(result.storedCount == 2 && !result.isReplay)
        #expect(result.events[0] == original)
        #expect(result.events[1...].map(\.offset) == [2, 3])
        let again = try await store.append([try note(1, key: "one"), try note(2, key: "two")], to: path)
        #expect(again.isReplay)
        #expect(again.events == Array(result.events[0...1]))
        #expect(try await store.headOffset(of: path) == 3)
    }

    /// Concurrent appends of one key store it once and all see the same event.
    func concurrentReplaysStoreOnce() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/once")
        let results = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: AppendResult.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await store.append([try note(1, key: "once")], to: path) }
                }
                return try await group.reduce(into: [AppendResult]()) { $0.append($1) }
            }
        }
        #expect(results.map(\.storedCount).reduce(0, +) == 1)
        #expect(Set(results.compactMap { $0.events.first?.position }).count == 1)
        #expect(try await store.headOffset(of: path) == 1)
    }
}
