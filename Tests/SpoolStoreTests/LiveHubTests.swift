import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// Fan-out of committed events to mailboxes, without a store.
@Suite(.timeLimit(.minutes(3))) struct LiveHubTests {
    /// Events as a store would commit them: positions from `firstPosition` on, in the order of `paths`.
    private func committed(_ paths: String..., firstPosition: Int = 1) throws -> [Event] {
        try paths.enumerated().map { index, text in
            Event(
                streamPath: try StreamPath(text), offset: firstPosition + index, position: firstPosition + index,
                type: "t", payloadJSON: "{}", createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
    }

    private func events(_ delivery: Mailbox.Delivery?) -> [Event]? {
        if case .events(let events) = delivery { return events }
        return nil
    }

    @Test func streamSubscribersGetOnlyTheirStreamInOrder() async throws {
        let hub = LiveHub()
        let ada = hub.subscribe(to: try StreamPath("/agents/ada"))
        let bob = hub.subscribe(to: try StreamPath("/agents/bob"))
        let batch = try committed("/agents/ada", "/agents/bob", "/agents/ada", "/agents/ada/x", "/agents/ada")
        hub.publish(batch)
        hub.publish(try committed("/agents/ada", firstPosition: 6))
        #expect(events(await ada.next())?.map(\.position) == [1, 3, 5, 6])
        #expect(events(await bob.next())?.map(\.position) == [2])
    }

    @Test func prefixSubscribersGetTheirSubtree() async throws {
        let hub = LiveHub()
        let agents = hub.subscribe(toPrefix: try StreamPrefix("/agents"))
        let everything = hub.subscribe(toPrefix: .root)
        hub.publish(try committed("/agents", "/agentsx", "/agents/ada", "/other", "/agents-x", "/agents/ada/deep"))
        #expect(events(await agents.next())?.map(\.streamPath.rawValue) == ["/agents", "/agents/ada", "/agents/ada/deep"])
        #expect(events(await everything.next())?.count == 6)
    }

    /// A feed reader with a filter is handed only the events it accepts, under its prefix; a
    /// batch with none of them does not wake it, but `publishedPosition` moves past it.
    @Test func filteredFeedReadersGetOnlyWhatTheyAccept() async throws {
        let hub = LiveHub()
        let wanted = hub.subscribe(toPrefix: try StreamPrefix("/agents")) { $0.position % 2 == 0 }
        let everything = hub.subscribe(toPrefix: try StreamPrefix("/agents"))
        try await withTimeLimit(.seconds(10)) {
            try await withThrowingTaskGroup(of: [Int]?.self) { group in
                group.addTask { if case .events(let events) = await wanted.next() { events.map(\.position) } else { nil } }
                try await Task.sleep(for: .milliseconds(20))
                hub.publish(try committed("/agents/a", "/other", "/agents/b"))  // 2 is not under the prefix
                try await Task.sleep(for: .milliseconds(20))
                #expect(hub.publishedPosition == 3)
                hub.publish(try committed("/agents/a", "/agents/b", "/agents/c", "/other", firstPosition: 4))
                #expect(try await group.next() == .some([4, 6]), "the first batch woke nobody")
            }
        }
        #expect(events(await everything.next())?.map(\.position) == [1, 3, 4, 5, 6])
    }

    /// Feed readers that match nothing published come and go while a thread publishes: the
    /// hub must never hold the last reference to a mailbox under its lock (the mailbox's
    /// `deinit` unsubscribes, taking the same lock: a crash or a deadlock). Each reader is
    /// dropped a moment after it subscribed, often while the publisher is filtering for it.
    @Test func feedReadersLeavingDuringPublishingAreDroppedSafely() async throws {
        let hub = LiveHub()
        let batch = try (0..<500).map { index in
            Event(
                streamPath: try StreamPath("/busy/\(index % 7)"), offset: index + 1, position: index + 1, type: "t",
                payloadJSON: "{}", createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        let elsewhere = try StreamPrefix("/elsewhere")
        let deadline = ContinuousClock.now + .seconds(2)
        try await withTimeLimit(.seconds(30)) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { while ContinuousClock.now < deadline { hub.publish(batch) } }
                for worker in 0..<3 {
                    group.addTask {
                        var spins = worker
                        while ContinuousClock.now < deadline {
                            let reader = hub.subscribe(toPrefix: elsewhere)
                            spins = (spins &* 1_103_515_245 &+ 12_345) & 0x3FFF
                            for _ in 0..<spins { _ = ContinuousClock.now }
                            withExtendedLifetime(reader) {}
                        }
                    }
                }
            }
        }
        #expect(hub.subscriberCount == 0)
    }

    @Test func aWaitingReaderIsWokenByADelivery() async throws {
        let hub = LiveHub()
        let mailbox = hub.subscribe(to: try StreamPath("/a"))
        let batch = try committed("/a", "/a")
        try await withTimeLimit(.seconds(10)) {
            try await withThrowingTaskGroup(of: [Event]?.self) { group in
                group.addTask { if case .events(let events) = await mailbox.next() { events } else { nil } }
                try await Task.sleep(for: .milliseconds(20))
                hub.publish(batch)
                #expect(try await group.next() == .some(batch))
            }
        }
    }

    @Test func fallingMoreThanCapacityBehindOverflows() async throws {
        let hub = LiveHub(mailboxCapacity: 4)
        let path = "/a"
        let mailbox = hub.subscribe(to: try StreamPath(path))
        hub.publish(try committed(path, path, path))
        hub.publish(try committed(path, firstPosition: 4))
        #expect(events(await mailbox.next())?.map(\.position) == [1, 2, 3, 4], "exactly the capacity is not an overflow")
        hub.publish(try committed(path, path, path, firstPosition: 5))
        hub.publish(try committed(path, path, firstPosition: 8))
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected an overflow")
            return
        }
        // Until reset, the overflow sticks and nothing is kept.
        hub.publish(try committed(path, firstPosition: 10))
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected the overflow to persist until reset")
            return
        }
        mailbox.reset()
        let next = try committed(path, firstPosition: 11)
        hub.publish(next)
        #expect(events(await mailbox.next()) == next)
    }

    /// A few large events fill a mailbox long before its event count does.
    @Test func fallingMoreThanByteCapacityBehindOverflows() async throws {
        let hub = LiveHub(mailboxCapacity: 1_000, mailboxByteCapacity: 10_000)
        let path = try StreamPath("/big")
        let mailbox = hub.subscribe(to: path)
        func large(_ position: Int) -> Event {
            Event(
                streamPath: path, offset: position, position: position, type: "t",
                payloadJSON: #"{"data":""# + String(repeating: "x", count: 4_000) + #""}"#, createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        hub.publish([large(1), large(2)])
        #expect(events(await mailbox.next())?.count == 2, "8 KB pending fits")
        hub.publish([large(3), large(4)])
        hub.publish([large(5)])
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected an overflow past 10,000 bytes")
            return
        }
        mailbox.reset()
        hub.publish([large(6)])
        #expect(events(await mailbox.next())?.map(\.position) == [6], "after a reset the byte count starts again")
    }

    /// Tiny events still take memory: their envelopes count against the byte capacity too.
    @Test func manyTinyEventsFillTheByteCapacityByTheirEnvelopes() async throws {
        let hub = LiveHub(mailboxCapacity: 1_000, mailboxByteCapacity: 10 * Mailbox.envelopeBytes + 100)
        let mailbox = hub.subscribe(toPrefix: .root)
        hub.publish(try committed("/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a"))
        #expect(events(await mailbox.next())?.count == 10, "ten envelopes and their payloads fit")
        hub.publish(try committed("/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", "/a", firstPosition: 11))
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected eleven tiny events to overflow a mailbox of ten envelopes")
            return
        }
    }

    /// An event's type and idempotency key take memory of their own too.
    @Test func longTypesAndKeysCountAgainstTheByteCapacity() async throws {
        let hub = LiveHub(mailboxCapacity: 1_000, mailboxByteCapacity: 4 * Mailbox.envelopeBytes)
        let mailbox = hub.subscribe(toPrefix: .root)
        let long = try (1...2).map { position in
            Event(
                streamPath: try StreamPath("/a"), offset: position, position: position, type: String(repeating: "t", count: 256),
                payloadJSON: "{}", idempotencyKey: String(repeating: "k", count: 256), createdAt: Timestamp(millisecondsSinceEpoch: 0))
        }
        hub.publish(long)
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected two events with 512 bytes of type and key each to overflow four envelopes' worth")
            return
        }
    }

    @Test func oneBatchLargerThanCapacityOverflows() async throws {
        let hub = LiveHub(mailboxCapacity: 2)
        let mailbox = hub.subscribe(toPrefix: .root)
        hub.publish(try committed("/a", "/b", "/c"))
        guard case .overflowed = await mailbox.next() else {
            Issue.record("expected an overflow")
            return
        }
    }

    @Test func closingEndsEveryReaderNowAndLater() async throws {
        let hub = LiveHub()
        let before = hub.subscribe(to: try StreamPath("/a"))
        hub.close()
        let after = hub.subscribe(toPrefix: .root)
        guard case .closed = await before.next(), case .closed = await after.next() else {
            Issue.record("expected both mailboxes to be closed")
            return
        }
    }

    @Test func idleReadersAreWokenForKeepAlives() async throws {
        let hub = LiveHub()
        let mailbox = hub.subscribe(to: try StreamPath("/a"))
        try await withTimeLimit(.seconds(10)) {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { if case .idle = await mailbox.next() { true } else { false } }
                try await Task.sleep(for: .milliseconds(20))
                hub.wakeIdleReaders()
                #expect(try await group.next() == true)
            }
        }
    }

    @Test func cancellingAWaitingReaderReturnsNil() async throws {
        let hub = LiveHub()
        let mailbox = hub.subscribe(to: try StreamPath("/a"))
        try await withTimeLimit(.seconds(10)) {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { await mailbox.next() == nil }
                try await Task.sleep(for: .milliseconds(20))
                group.cancelAll()
                #expect(try await group.next() == true)
            }
        }
    }

    @Test func readersUnsubscribeWhenCancelledOrReleased() throws {
        let hub = LiveHub()
        var kept: Mailbox? = hub.subscribe(to: try StreamPath("/a"))
        let cancelled = hub.subscribe(toPrefix: .root)
        let other = hub.subscribe(to: try StreamPath("/a"))
        #expect(hub.subscriberCount == 3)
        #expect(hub.subscriberCount(of: try StreamPath("/a")) == 2)
        cancelled.cancel()
        #expect(hub.subscriberCount == 2)
        #expect(kept != nil)
        kept = nil
        #expect(hub.subscriberCount == 1)
        #expect(hub.subscriberCount(of: try StreamPath("/a")) == 1)
        #expect(hub.subscriberCount(of: try StreamPath("/b")) == 0)
        withExtendedLifetime(other) {}
    }
}
