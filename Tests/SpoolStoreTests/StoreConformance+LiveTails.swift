import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// Live reads: history, then each committed event exactly once, in order.
extension StoreConformance {
    func tailDeliversHistoryThenLiveEvents() async throws {
        let store = try await makeStore()
        let ada = try StreamPath("/agents/ada")
        let bob = try StreamPath("/agents/bob")
        _ = try await store.append(notes(1...5), to: ada)
        try await store.append(note(1), to: bob)
        try await withTimeLimit(.seconds(60)) {
            var iterator = store.tail(ada).makeAsyncIterator()
            let history = try await iterator.nextEvents(count: 5)
            #expect(try await store.read(ada, after: 0, limit: 100) == history)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for n in 6...25 {
                        try await store.append(note(n), to: ada)
                        try await store.append(note(n), to: bob)
                    }
                    _ = try await store.append(notes(26...30), to: ada)
                }
                let live = try await iterator.nextEvents(count: 25)
                expectSequence(live.map(\.offset), equals: Array(6...30), "offsets")
                #expect(live.allSatisfy { $0.streamPath == ada })
                try await group.waitForAll()
            }
            let sentinel = try await store.append(note(31), to: ada)
            #expect(try await iterator.nextEvents(count: 1) == [sentinel])
        }
    }

    func tailStartsAfterTheGivenOffset() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/resume")
        _ = try await store.append(notes(1...10), to: path)
        try await withTimeLimit(.seconds(60)) {
            var fromSeven = store.tail(path, after: 7).makeAsyncIterator()
            #expect(try await fromSeven.nextEvents(count: 3).map(\.offset) == [8, 9, 10])
            var fromHead = store.tail(path, after: 10).makeAsyncIterator()
            try await store.append(note(11), to: path)
            #expect(try await fromHead.nextEvents(count: 1).map(\.offset) == [11])
            #expect(try await fromSeven.nextEvents(count: 1).map(\.offset) == [11])
        }
    }

    func tailOfANewStreamWaitsForItsFirstEvent() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/not/yet")
        try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var iterator = store.tail(path).makeAsyncIterator()
                group.addTask {
                    try await Task.sleep(for: .milliseconds(50))
                    try await store.append(note(1), to: try StreamPath("/not/yet/child"))
                    try await store.append(note(2), to: path)
                }
                let events = try await iterator.nextEvents(count: 1)
                #expect(events.map(\.offset) == [1])
                #expect(events.compactMap(number(of:)) == [2])
                try await group.waitForAll()
            }
        }
    }

    func closingATailEndsIt() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/closing")
        try await store.append(note(1), to: path)
        try await withTimeLimit(.seconds(60)) {
            let tail = store.tail(path)
            var iterator = tail.makeAsyncIterator()
            let history = try await iterator.nextEvents(count: 1)
            #expect(history.count == 1)
            tail.close()
            let end = try await iterator.next()
            #expect(end == nil)
        }
    }

    func cancellingAWaitingTailEndsIt() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/cancelled")
        try await withTimeLimit(.seconds(60)) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var iterator = store.tail(path).makeAsyncIterator()
                    var received = 0
                    do {
                        while let delivery = try await iterator.next() {
                            if case .events(let events) = delivery { received += events.count }
                        }
                    } catch is CancellationError {}
                    return received
                }
                try await Task.sleep(for: .milliseconds(50))
                group.cancelAll()
                #expect(try await group.next() == 0)
            }
        }
    }

    /// A reader joins while 2,000 single appends are under way and still sees each exactly once.
    func tailJoiningMidBurstSeesEveryEventOnce() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/burst")
        let total = 2000
        try await withTimeLimit(.seconds(120)) {
            // Children answer (0 = the appender, 1 = the reader from the start, 2 = the reader from the join, events).
            try await withThrowingTaskGroup(of: (Int, [Event]).self) { group in
                group.addTask {
                    for n in 1...total { try await store.append(note(n), to: path) }
                    return (0, [])
                }
                while try await store.headOffset(of: path) ?? 0 < total / 4 { try await Task.sleep(for: .milliseconds(1)) }
                let fromStart = store.tail(path)
                let joinedAt = try await store.headOffset(of: path) ?? 0
                let fromJoin = store.tail(path, after: joinedAt)
                for (reader, tail, count) in [(1, fromStart, total), (2, fromJoin, total - joinedAt)] {
                    group.addTask {
                        var iterator = tail.makeAsyncIterator()
                        return (reader, try await iterator.nextEvents(count: count))
                    }
                }
                var readers: [Int: [Event]] = [:]
                for try await (reader, events) in group { readers[reader] = events }
                #expect(joinedAt < total, "the reader joined after the burst; nothing was tested mid-burst")
                expectSequence(readers[1, default: []].map(\.offset), equals: Array(1...total), "offsets from the start")
                expectSequence(readers[2, default: []].map(\.offset), equals: Array((joinedAt + 1)...total), "offsets from the join")
                expectSequence(readers[1, default: []].compactMap(number(of:)), equals: Array(1...total), "payloads")
            }
        }
    }

    /// A tail that falls more than its mailbox behind catches up from the store.
    func overflowingTailCatchesUpFromTheStore() async throws {
        let capacity = 8
        let store = try await makeStore(mailboxCapacity: capacity)
        let path = try StreamPath("/overflow")
        try await store.append(note(1), to: path)
        try await withTimeLimit(.seconds(60)) {
            // `store.tail(path)`, instrumented to say when a catch-up read finds nothing new.
            let (caughtUp, signal) = AsyncStream.makeStream(of: Void.self)
            let tail = LiveTail(mailbox: store.live.subscribe(to: path), cursor: 0, key: .offset) { cursor in
                let page = try await store.read(path, after: cursor, limit: LiveTail.pageSize)
                if page.isEmpty { signal.yield() }
                return page
            }
            let witness = store.live.subscribe(to: path)
            var iterator = tail.makeAsyncIterator()
            #expect(try await iterator.nextEvents(count: 1).map(\.offset) == [1])
            // Once caught up the tail reads live, so event 2 reaches it through its mailbox.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in caughtUp { break }
                    try await store.append(note(2), to: path)
                }
                #expect(try await iterator.nextEvents(count: 1).map(\.offset) == [2])
                try await group.waitForAll()
            }
            // While nobody reads, far more than `capacity` events arrive.
            for start in stride(from: 3, through: 101, by: 3) {
                _ = try await store.append(notes(start...(start + 2)), to: path)
            }
            guard case .overflowed = await witness.next() else {
                Issue.record("a mailbox of capacity \(capacity) did not overflow; the test proves nothing")
                return
            }
            let rest = try await iterator.nextEvents(count: 99)
            expectSequence(rest.map(\.offset), equals: Array(3...101), "offsets after the overflow")
            let sentinel = try await store.append(note(102), to: path)
            #expect(try await iterator.nextEvents(count: 1) == [sentinel])
        }
    }

    /// A slow reader with a tiny mailbox during a burst of batches: every event once, in order.
    func slowTailWithATinyMailboxSeesEveryEventOnce() async throws {
        let store = try await makeStore(mailboxCapacity: 8)
        let path = try StreamPath("/slow")
        let total = 2000
        try await withTimeLimit(.seconds(120)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for start in stride(from: 1, through: total, by: 5) {
                        _ = try await store.append(notes(start...(start + 4)), to: path)
                    }
                }
                var iterator = store.tail(path).makeAsyncIterator()
                var events: [Event] = []
                while events.count < total, let delivery = try await iterator.next() {
                    guard case .events(let batch) = delivery else { continue }
                    events += batch
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await group.waitForAll()
                expectSequence(events.map(\.offset), equals: Array(1...total), "offsets")
                let sentinel = try await store.append(note(total + 1), to: path)
                #expect(try await iterator.nextEvents(count: 1) == [sentinel])
            }
        }
    }

    /// A feed reader joining mid-way through concurrent appends to many streams
    /// sees every event under its prefix once, in position order.
    func feedTailDeliversEveryMatchingEventOnceInPositionOrder(mailboxCapacity: Int) async throws {
        let store = try await makeStore(mailboxCapacity: mailboxCapacity)
        let prefix = try StreamPrefix("/agents")
        let inside = try (0..<4).map { try StreamPath("/agents/a\($0)") } + [try StreamPath("/agents")]
        let outside = [try StreamPath("/agentsx"), try StreamPath("/other/agents")]
        let perStream = 300
        for path in inside + outside { _ = try await store.append(notes(1...10), to: path) }
        try await withTimeLimit(.seconds(120)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for path in inside + outside {
                    group.addTask {
                        for start in stride(from: 11, through: perStream, by: 2) {
                            _ = try await store.append(notes(start...(start + 1)), to: path)
                        }
                    }
                }
                while try await store.headPosition() < 200 { try await Task.sleep(for: .milliseconds(1)) }
                var iterator = store.tailFeed(prefix: prefix).makeAsyncIterator()
                var events: [Event] = []
                while events.count < inside.count * perStream, let delivery = try await iterator.next() {
                    guard case .events(let batch) = delivery else { continue }
                    events += batch
                    if mailboxCapacity < 100 { try await Task.sleep(for: .milliseconds(1)) }
                }
                try await group.waitForAll()
                let expected = try await store.readFeed(prefix: prefix, after: 0, limit: 100_000)
                #expect(expected.count == inside.count * perStream)
                expectSequence(events.map(\.position), equals: expected.map(\.position), "feed positions")
                #expect(events == expected)
                try await store.append(note(0), to: outside[0])
                let sentinel = try await store.append(note(0), to: inside[1])
                #expect(try await iterator.nextEvents(count: 1) == [sentinel])
            }
        }
    }

    /// A filtered feed tail hands only the events its filter accepts, from history (past pages
    /// with none of them) and live alike.
    func filteredFeedTailHandsOnlyWhatItAccepts() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/a")
        _ = try await store.append((0..<(LiveTail.pageSize + 10)).map { _ in try AppendInput(type: "noise/x") }, to: path)
        let wanted = try await store.append(AppendInput(type: "order/placed"), to: path)
        try await withTimeLimit(.seconds(60)) {
            var iterator = store.tailFeed(prefix: .root, where: { $0.type.hasPrefix("order/") }).makeAsyncIterator()
            #expect(try await iterator.nextEvents(count: 1) == [wanted])
            _ = try await store.append(AppendInput(type: "noise/x"), to: path)
            let live = try await store.append(AppendInput(type: "order/shipped"), to: path)
            #expect(try await iterator.nextEvents(count: 1) == [live])
        }
    }

    /// A filtered read going through history its filter refuses says how far it went, once
    /// a page, so its reader's progress does not wait for the next event it wants.
    func filteredFeedTailReportsTheHistoryItPassed() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/agents/a")
        _ = try await store.append((0..<(2 * LiveTail.pageSize + 500)).map { _ in try AppendInput(type: "noise/x") }, to: path)
        let wanted = try await store.append(AppendInput(type: "order/placed"), to: path)
        try await withTimeLimit(.seconds(60)) {
            var iterator = store.tailFeed(prefix: .root, where: { $0.type.hasPrefix("order/") }).makeAsyncIterator()
            var passed: [Int] = []
            var events: [Event] = []
            while events.isEmpty, let delivery = try await iterator.next() {
                switch delivery {
                case .passed(let position): passed.append(position)
                case .events(let batch): events = batch
                case .idle, .overflowed, .closed: Issue.record("unexpected \(delivery) while catching up")
                }
            }
            #expect(passed == [LiveTail.pageSize, 2 * LiveTail.pageSize])
            #expect(events == [wanted])
        }
    }

    func feedTailStartsAfterTheGivenPosition() async throws {
        let store = try await makeStore()
        let prefix = try StreamPrefix("/agents")
        var appended: [Event] = []
        for round in 1...5 {
            appended.append(try await store.append(note(round), to: try StreamPath("/agents/a")))
            try await store.append(note(round), to: try StreamPath("/elsewhere"))
            appended.append(try await store.append(note(round), to: try StreamPath("/agents/b")))
        }
        let inside = appended
        try await withTimeLimit(.seconds(60)) {
            var iterator = store.tailFeed(prefix: prefix, after: inside[5].position).makeAsyncIterator()
            #expect(try await iterator.nextEvents(count: 4) == Array(inside[6...]))
            let next = try await store.append(note(6), to: try StreamPath("/agents/a/deeper"))
            #expect(try await iterator.nextEvents(count: 1) == [next])
        }
    }
}
