import SpoolCore
import SpoolStore
import Testing

/// Reads, feeds, listings and durability.
extension StoreConformance {
    func readsPageWithAfterAndLimit() async throws {
        let store = try await makeStore()
        let path = try StreamPath("/paged")
        _ = try await store.append(notes(1...10), to: path)
        _ = try await store.append(notes(100...102), to: try StreamPath("/paged/child"))
        #expect(try await store.read(path, after: 0, limit: 1000).map(\.offset) == Array(1...10))
        #expect(try await store.read(path, after: 3, limit: 4).map(\.offset) == [4, 5, 6, 7])
        #expect(try await store.read(path, after: 0, limit: 1).map(\.offset) == [1])
        #expect(try await store.read(path, after: 9, limit: 100).map(\.offset) == [10])
        #expect(try await store.read(path, after: 10, limit: 100).isEmpty)
        #expect(try await store.read(path, after: 500, limit: 100).isEmpty)
        #expect(try await store.read(path, after: 0, limit: 1000).compactMap(number(of:)) == Array(1...10))
        var paged: [Int] = []
        while true {
            let page = try await store.read(path, after: paged.last ?? 0, limit: 3).map(\.offset)
            guard !page.isEmpty else { break }
            #expect(page.count <= 3)
            paged += page
        }
        #expect(paged == Array(1...10))
    }

    func unknownStreamsHaveNoHeadAndNoEvents() async throws {
        let store = try await makeStore()
        #expect(try await store.headPosition() == 0)
        #expect(try await store.headOffset(of: try StreamPath("/nobody")) == nil)
        #expect(try await store.read(try StreamPath("/nobody"), after: 0, limit: 10).isEmpty)
        #expect(try await store.readFeed(prefix: .root, after: 0, limit: 10).isEmpty)
        #expect(try await store.streams(prefix: .root).isEmpty)
        try await store.append(note(1), to: try StreamPath("/nobody/child"))
        #expect(try await store.headOffset(of: try StreamPath("/nobody")) == nil)
        #expect(try await store.headOffset(of: try StreamPath("/nobody/child")) == 1)
    }

    /// Paths sharing leading characters with the prefix but not a whole segment.
    static let siblingPaths = ["/agentsx", "/agents-x", "/agents.x", "/agents~x", "/agent", "/other/agents"]

    func feedFiltersByPrefixInPositionOrder() async throws {
        let store = try await makeStore()
        let inside = ["/agents", "/agents/ada", "/agents/bob", "/agents/ada/subtasks/1"]
        var appended: [Event] = []
        for round in 0..<3 {
            for text in inside + Self.siblingPaths {
                appended += try await store.append(notes((round * 2)...(round * 2 + 1)), to: try StreamPath(text)).events
            }
        }
        let prefix = try StreamPrefix("/agents")
        let expected = appended.filter { prefix.matches($0.streamPath) }
        let feed = try await store.readFeed(prefix: prefix, after: 0, limit: 10_000)
        #expect(feed == expected)
        #expect(Set(feed.map(\.streamPath.rawValue)) == Set(inside))
        expectStrictlyIncreasing(feed.map(\.position), "feed positions")
        #expect(try await store.readFeed(prefix: .root, after: 0, limit: 10_000) == appended)
        let ada = try await store.readFeed(prefix: try StreamPrefix("/agents/ada"), after: 0, limit: 100)
        #expect(Set(ada.map(\.streamPath.rawValue)) == ["/agents/ada", "/agents/ada/subtasks/1"])
        // Paging by position covers the feed exactly once.
        var paged: [Event] = []
        while true {
            let page = try await store.readFeed(prefix: prefix, after: paged.last?.position ?? 0, limit: 5)
            guard !page.isEmpty else { break }
            #expect(page.count <= 5)
            paged += page
        }
        #expect(paged == expected)
        let middle = expected[7].position
        #expect(try await store.readFeed(prefix: prefix, after: middle, limit: 3) == Array(expected[8..<11]))
    }

    /// System events of one type from every stream, in position order, paged; types that only
    /// look like it are left out, and other types are refused rather than read from the whole store.
    func systemEventsAreReadByType() async throws {
        let store = try await makeStore()
        let wanted = "spool/test-configured"
        let lookalikes = ["spool/test-configured-x", "spool/test", "Spool/test-configured", "spoolx/test-configured", "spool", "test/spool/test-configured"]
        var expected: [Event] = []
        for round in 0..<3 {
            for (index, text) in ["/a", "/b/c", "/d"].enumerated() {
                var inputs = try notes((round * 10 + index)...(round * 10 + index))
                inputs += try lookalikes.map { try AppendInput(type: $0) }
                if (round + index) % 2 == 0 { inputs.append(try AppendInput(type: wanted, payload: ["round": .int(Int64(round))])) }
                let events = try await store.append(inputs, to: try StreamPath(text)).events
                expected += events.filter { $0.type == wanted }
            }
        }
        #expect(expected.count == 5)
        #expect(try await store.readSystemEvents(ofType: wanted, after: 0, limit: 100) == expected)
        var paged: [Event] = []
        while true {
            let page = try await store.readSystemEvents(ofType: wanted, after: paged.last?.position ?? 0, limit: 2)
            guard !page.isEmpty else { break }
            #expect(page.count <= 2)
            paged += page
        }
        #expect(paged == expected)
        #expect(try await store.readSystemEvents(ofType: wanted, after: expected[2].position, limit: 100) == Array(expected[3...]))
        #expect(try await store.readSystemEvents(ofType: "spool/test-removed", after: 0, limit: 100).isEmpty)
        #expect(try await store.readSystemEvents(ofType: "spool/test", after: 0, limit: 100).count == 9)
        for type in ["test/note", "Spool/test-configured", "spoolx/test-configured"] {
            let error = await spoolError { try await store.readSystemEvents(ofType: type, after: 0, limit: 100) }
            #expect(error?.code == .invalidRequest, "\(type)")
        }
    }

    func streamsAreListedByPathWithTheirHeads() async throws {
        let store = try await makeStore()
        let inside = ["/agents/bob", "/agents", "/agents/ada/subtasks/1", "/agents/ada"]
        for (index, text) in (inside + Self.siblingPaths).enumerated() {
            _ = try await store.append(notes(0...index), to: try StreamPath(text))
        }
        let before = Timestamp.now()
        _ = try await store.append(notes(1...2), to: try StreamPath("/agents/bob"))
        let listed = try await store.streams(prefix: try StreamPrefix("/agents"))
        #expect(listed.map(\.path.rawValue) == ["/agents", "/agents/ada", "/agents/ada/subtasks/1", "/agents/bob"])
        #expect(listed.map(\.headOffset) == [2, 4, 3, 3])
        for info in listed { #expect(info.createdAt <= info.updatedAt) }
        let bob = try #require(listed.last)
        #expect(bob.updatedAt >= before)
        #expect(bob.createdAt <= before)
        let all = try await store.streams(prefix: .root)
        #expect(all.map(\.path.rawValue) == (inside + Self.siblingPaths).sorted())
        #expect(try await store.streams(prefix: try StreamPrefix("/agents/ada/subtasks/1")).map(\.path.rawValue) == ["/agents/ada/subtasks/1"])
        #expect(try await store.streams(prefix: try StreamPrefix("/nothing")).isEmpty)
    }

    /// A listing read a page at a time: each page starts after the last path of the one before.
    func streamsAreListedPageByPage() async throws {
        let store = try await makeStore()
        let inside = ["/agents/bob", "/agents", "/agents/ada/subtasks/1", "/agents/ada", "/agents/cy"]
        for text in inside + Self.siblingPaths { _ = try await store.append(note(1), to: try StreamPath(text)) }
        let prefix = try StreamPrefix("/agents")
        var pages: [[String]] = []
        var after: StreamPath?
        while true {
            let page = try await store.streams(prefix: prefix, after: after, limit: 2)
            guard let last = page.last else { break }
            pages.append(page.map(\.path.rawValue))
            after = last.path
        }
        #expect(pages == [["/agents", "/agents/ada"], ["/agents/ada/subtasks/1", "/agents/bob"], ["/agents/cy"]])
        #expect(try await store.streams(prefix: .root, after: try StreamPath("/agents/bob"), limit: 100).first?.path.rawValue == "/agents/cy")
    }

    /// Everything acknowledged is still there after closing and reopening the store.
    func appendsSurviveClosingAndReopening() async throws {
        let first = try await makeStore()
        let ada = try StreamPath("/agents/ada")
        let bob = try StreamPath("/agents/bob")
        var appended = try await first.append(notes(1...3), to: ada).events
        appended.append(try await first.append(note(4, key: "k4"), to: bob))
        appended += try await first.append([try note(5), try note(6, key: "k6")], to: ada).events
        let listing = try await first.streams(prefix: .root)
        try await close(first)

        let second = try await makeStore()
        #expect(try await second.readFeed(prefix: .root, after: 0, limit: 100) == appended)
        #expect(try await second.read(ada, after: 0, limit: 100) == appended.filter { $0.streamPath == ada })
        #expect(try await second.headOffset(of: ada) == 5)
        #expect(try await second.headOffset(of: bob) == 1)
        #expect(try await second.headPosition() == appended.last?.position)
        #expect(try await second.streams(prefix: .root) == listing)
        // Idempotency keys, offsets and positions carry on where they were.
        let replay = try await second.append([try note(6, key: "k6")], to: ada)
        #expect(replay.isReplay && replay.events == [appended[5]])
        let conflict = await spoolError { try await second.append(note(7, key: "k4"), to: bob) }
        #expect(conflict?.code == .idempotencyConflict)
        let next = try await second.append(note(7), to: bob)
        #expect(next.offset == 2)
        #expect(next.position > appended.last?.position ?? .max)
        try await close(second)
    }
}
