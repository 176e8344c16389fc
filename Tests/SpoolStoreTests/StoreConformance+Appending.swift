import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// Offsets, positions, batches and expected offsets.
extension StoreConformance {
    func appendAssignsOffsetsFromOneAndIncreasingPositions() async throws {
        let store = try await makeStore()
        let ada = try StreamPath("/agents/ada")
        let bob = try StreamPath("/agents/bob")
        var appended: [Event] = []
        for (n, path) in [(1, ada), (2, ada), (3, bob), (4, ada), (5, bob)] {
            appended.append(try await store.append(note(n), to: path))
        }
        #expect(appended.map(\.offset) == [1, 2, 1, 3, 2])
        #expect(appended.map(\.streamPath) == [ada, ada, bob, ada, bob])
        expectStrictlyIncreasing(appended.map(\.position), "positions")
        #expect(try await store.headPosition() == appended.last?.position)
        #expect(try await store.read(ada, after: 0, limit: 100) == appended.filter { $0.streamPath == ada })
        #expect(try await store.read(bob, after: 0, limit: 100) == appended.filter { $0.streamPath == bob })
    }

    func appendStoresTheInputAsGiven() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/ada")
        let before = Timestamp.now()
        let input = try AppendInput(
            type: "agent/input-added", payload: ["content": "Summarise the log", "z": 1, "a": [1.5, nil, "é😀"]],
            metadata: ["source": "cli"], idempotencyKey: "cli-7f3a")
        let event = try await store.append(input, to: path)
        let after = Timestamp.now()
        #expect(event.streamPath == path)
        #expect(event.type == "agent/input-added")
        #expect(event.payloadJSON == #"{"content":"Summarise the log","z":1,"a":[1.5,null,"é😀"]}"#)
        #expect(event.metadataJSON == #"{"source":"cli"}"#)
        #expect(event.idempotencyKey == "cli-7f3a")
        #expect(event.createdAt >= before && event.createdAt <= after)
        #expect(try await store.read(path, after: 0, limit: 1) == [event])
        let plain = try await store.append(AppendInput(type: "t"), to: path)
        #expect(plain.payloadJSON == "{}")
        #expect(plain.metadataJSON == nil && plain.idempotencyKey == nil)
    }

    func appendingNothingStoresNothing() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/empty")
        let result = try await store.append([], to: path)
        #expect(result.events.isEmpty && result.storedCount == 0)
        #expect(try await store.headOffset(of: path) == nil)
    }

    /// 32 appenders race on one stream; offsets stay gapless and positions follow them.
    func concurrentAppendsToOneStreamAreGapless() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/contended")
        let appenders = 32, perAppender = 20
        let results = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: [Event].self) { group in
                for appender in 0..<appenders {
                    group.addTask {
                        var events: [Event] = []
                        for i in 0..<perAppender {
                            events.append(try await store.append(note(appender * 1000 + i), to: path))
                        }
                        return events
                    }
                }
                return try await group.reduce(into: [[Event]]()) { $0.append($1) }
            }
        }
        let total = appenders * perAppender
        for events in results {
            expectStrictlyIncreasing(events.map(\.offset), "one appender's offsets")
        }
        let stored = try await store.read(path, after: 0, limit: 10_000)
        expectSequence(stored.map(\.offset), equals: Array(1...total), "offsets")
        expectStrictlyIncreasing(stored.map(\.position), "positions in offset order")
        #expect(stored == results.joined().sorted { $0.offset < $1.offset })
        #expect(try await store.headOffset(of: path) == total)
    }

    /// 32 appenders, one stream each; every stream is gapless and positions are unique store-wide.
    func concurrentAppendsToManyStreamsAreGapless() async throws {
        let store = try await makeStore()
        let streams = 32, perStream = 20
        let returned = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: [Event].self) { group in
                for stream in 0..<streams {
                    group.addTask {
                        let path = try StreamPath("/many/s\(stream)")
                        var events: [Event] = []
                        for i in 1...perStream { events.append(try await store.append(note(i), to: path)) }
                        return events
                    }
                }
                return try await group.reduce(into: [Event]()) { $0 += $1 }
            }
        }
        for stream in 0..<streams {
            let stored = try await store.read(try StreamPath("/many/s\(stream)"), after: 0, limit: 1000)
            expectSequence(stored.map(\.offset), equals: Array(1...perStream), "offsets of s\(stream)")
            expectSequence(stored.compactMap(number(of:)), equals: Array(1...perStream), "payloads of s\(stream)")
            expectStrictlyIncreasing(stored.map(\.position), "positions of s\(stream)")
        }
        let feed = try await store.readFeed(prefix: .root, after: 0, limit: 10_000)
        #expect(feed.count == streams * perStream)
        expectStrictlyIncreasing(feed.map(\.position), "feed positions")
        #expect(feed == returned.sorted { $0.position < $1.position })
        #expect(try await store.headPosition() == feed.last?.position)
    }

    func batchesGetConsecutiveOffsets() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/batches")
        let first = try await store.append(notes(1...5), to: path)
        #expect(first.storedCount == 5 && !first.isReplay)
        #expect(first.events.map(\.offset) == [1, 2, 3, 4, 5])
        #expect(first.events.compactMap(number(of:)) == [1, 2, 3, 4, 5])
        expectStrictlyIncreasing(first.events.map(\.position), "positions")
        // Concurrent batches each stay contiguous in the stream.
        let batches = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: [Event].self) { group in
                for task in 0..<16 {
                    group.addTask {
                        var events: [Event] = []
                        for batch in 0..<5 {
                            let base = 100 * task + 10 * batch
                            let result = try await store.append(notes(base...(base + 3)), to: path)
                            #expect(result.storedCount == 4)
                            events += result.events
                        }
                        return events
                    }
                }
                return try await group.reduce(into: [Event]()) { $0 += $1 }
            }
        }
        let stored = try await store.read(path, after: 0, limit: 1000)
        expectSequence(stored.map(\.offset), equals: Array(1...(5 + 16 * 5 * 4)), "offsets")
        expectStrictlyIncreasing(stored.map(\.position), "positions")
        for start in stride(from: 5, to: stored.count, by: 4) {
            let batch = stored[start..<(start + 4)].compactMap(number(of:))
            let base = batch[0]
            #expect(base % 10 == 0 && batch == [base, base + 1, base + 2, base + 3], "batch at offset \(start + 1): \(batch)")
        }
        #expect(Set(batches.map(\.offset)).count == batches.count)
    }

    func failingBatchStoresNothing() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/atomic")
        _ = try await store.append(notes(1...2), to: path)
        let offsetError = await spoolError {
            try await store.append([try note(3), try note(4), try note(5, expectedOffset: 2)], to: path)
        }
        #expect(offsetError?.code == .offsetConflict)
        try await store.append(note(10, key: "k"), to: path)
        let keyError = await spoolError {
            try await store.append([try note(11), try note(12, key: "k")], to: path)
        }
        #expect(keyError?.code == .idempotencyConflict)
        #expect(try await store.read(path, after: 0, limit: 100).compactMap(number(of:)) == [1, 2, 10])
        #expect(try await store.headOffset(of: path) == 3)
    }

    func failingAppendToANewStreamLeavesNoStream() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/never/created")
        let offsetError = await spoolError { try await store.append(note(1, expectedOffset: 5), to: path) }
        #expect(offsetError?.code == .offsetConflict)
        #expect(offsetError?.details["headOffset"] == 0)
        let keyError = await spoolError {
            try await store.append([try note(1), try note(2, key: "k"), try note(3, key: "k")], to: path)
        }
        #expect(keyError?.code == .idempotencyConflict)
        #expect(try await store.headOffset(of: path) == nil)
        #expect(try await store.streams(prefix: .root).isEmpty)
        #expect(try await store.read(path, after: 0, limit: 10).isEmpty)
        #expect(try await store.headPosition() == 0)
    }

    func expectedOffsetIsCheckedAgainstTheHead() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/optimistic")
        let empty = await spoolError { try await store.append(note(0, expectedOffset: 1), to: path) }
        #expect(empty?.code == .offsetConflict)
        #expect(empty?.details["headOffset"] == 0)
        #expect(try await store.append(note(1, expectedOffset: 0), to: path).offset == 1)
        #expect(try await store.append(note(2, expectedOffset: 1), to: path).offset == 2)
        let behind = await spoolError { try await store.append(note(3, expectedOffset: 1), to: path) }
        #expect(behind?.code == .offsetConflict)
        #expect(behind?.details["headOffset"] == 2)
        let ahead = await spoolError { try await store.append(note(3, expectedOffset: 5), to: path) }
        #expect(ahead?.code == .offsetConflict)
        #expect(ahead?.details["headOffset"] == 2)
        // Inside a batch each input is checked against the head before it.
        let chained = try await store.append([try note(3, expectedOffset: 2), try note(4), try note(5, expectedOffset: 4)], to: path)
        #expect(chained.events.map(\.offset) == [3, 4, 5])
        let stale = await spoolError { try await store.append([try note(6, expectedOffset: 5), try note(7, expectedOffset: 5)], to: path) }
        #expect(stale?.code == .offsetConflict)
        // The answer names the stream's head, not the head after the batch's own first event.
        #expect(stale?.details["headOffset"] == 5)
        #expect(stale?.message.contains("event 2 of the batch") == true)
        #expect(try await store.headOffset(of: path) == 5)
        #expect(try await store.read(path, after: 0, limit: 100).compactMap(number(of:)) == [1, 2, 3, 4, 5])
    }

    /// Writers that all expect the same head: exactly one wins.
    func expectedOffsetLetsExactlyOneConcurrentWriterWin() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/race")
        try await store.append(note(0), to: path)
        let outcomes = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: SpoolError.Code?.self) { group in
                for writer in 1...16 {
                    group.addTask {
                        do {
                            try await store.append(note(writer, expectedOffset: 1), to: path)
                            return nil
                        } catch let error as SpoolError {
                            return error.code
                        }
                    }
                }
                return try await group.reduce(into: [SpoolError.Code?]()) { $0.append($1) }
            }
        }
        #expect(outcomes.filter { $0 == nil }.count == 1)
        #expect(outcomes.filter { $0 == .offsetConflict }.count == 15)
        #expect(try await store.headOffset(of: path) == 2)
    }

    /// Requests that fail next to successful ones (sharing a group commit where
    /// the backend has one) store nothing, and do not disturb the others.
    func failedRequestsDoNotDisturbConcurrentOnes() async throws {
        let store = try await makeStore()
        let shared = try StreamPath("/shared")
        try await store.append(note(0, key: "taken"), to: shared)
        enum Outcome: Sendable { case stored([Event]), refused(Int, SpoolError.Code) }
        let requests = 48
        let outcomes = try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: Outcome.self) { group in
                for request in 1...requests {
                    group.addTask {
                        let marker: JSONObject = ["request": .int(Int64(request))]
                        let own = try StreamPath("/own/r\(request)")
                        do {
                            switch request % 4 {
                            case 0:  // stale expected offset, on a shared stream
                                _ = try await store.append(
                                    [try note(1, extra: marker), try note(2, expectedOffset: 10_000, extra: marker)], to: shared)
                            case 1:  // conflicting idempotency key
                                _ = try await store.append([try note(1, extra: marker), try note(2, key: "taken", extra: marker)], to: shared)
                            case 2:  // stale expected offset, on a new stream
                                _ = try await store.append([try note(1, extra: marker), try note(2, expectedOffset: 7, extra: marker)], to: own)
                            default:  // fine
                                let path = request % 8 == 3 ? shared : own
                                return .stored(try await store.append(notes(1...3, extra: marker), to: path).events)
                            }
                            Issue.record("request \(request) should have been refused")
                            return .stored([])
                        } catch let error as SpoolError {
                            return .refused(request, error.code)
                        }
                    }
                }
                return try await group.reduce(into: [Outcome]()) { $0.append($1) }
            }
        }
        var storedRequests: Set<Int> = []
        for outcome in outcomes {
            switch outcome {
            case .stored(let events):
                #expect(events.count == 3)
                if let request = events.first?.payload["request"]?.intValue { storedRequests.insert(Int(request)) }
            case .refused(let request, let code):
                #expect(code == (request % 4 == 1 ? .idempotencyConflict : .offsetConflict), "request \(request)")
            }
        }
        #expect(storedRequests == Set((1...requests).filter { $0 % 4 == 3 }))
        let feed = try await store.readFeed(prefix: .root, after: 0, limit: 10_000)
        let requestsInFeed = feed.compactMap { $0.payload["request"]?.intValue.map(Int.init) }
        #expect(Set(requestsInFeed) == storedRequests)
        #expect(requestsInFeed.count == storedRequests.count * 3)
        let streams = try await store.streams(prefix: .root).map(\.path.rawValue)
        #expect(Set(streams) == Set(["/shared"] + storedRequests.filter { $0 % 8 != 3 }.map { "/own/r\($0)" }))
        let sharedEvents = try await store.read(shared, after: 0, limit: 1000)
        expectSequence(sharedEvents.map(\.offset), equals: Array(1...sharedEvents.count), "shared offsets")
        #expect(sharedEvents.count == 1 + 3 * storedRequests.filter { $0 % 8 == 3 }.count)
    }
}
