import Logging
import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

/// `GET /streams/{path}?live=true`: history, then events as they are appended,
/// as Server-Sent Events or NDJSON. Every wait is bounded by `withTimeLimit`.
@Suite(.timeLimit(.minutes(3))) struct LiveReadTests {
    @Test func sseSendsHistoryThenNewEvents() async throws {
        try await withSpoolServer { http in
            try await http.append("/live", type: "old1")
            try await http.append("/live", type: "old2")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live?live=true")
                #expect(reader.status == 200)
                #expect(reader.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
                #expect(reader.headers.first(name: "Cache-Control") == "no-cache")
                let first = try await reader.nextEvent()
                #expect(first.id == "1")
                #expect(first.event["type"] == "old1")
                #expect(first.event["streamPath"] == "/live")
                #expect(try await reader.nextEvent().id == "2")

                let appended = try await http.append("/live", type: "new", payload: #"{"x":1}"#)
                let live = try await reader.nextEvent()
                #expect(live.id == "3")
                #expect(live.event == appended)
                #expect(try await http.post("/streams/live", json: #"[{"type":"b1"},{"type":"b2"}]"#).status == 201)
                #expect(try await reader.nextEvent().event["type"] == "b1")
                #expect(try await reader.nextEvent().event["type"] == "b2")
            }
        }
    }

    @Test func multiLineTextStaysInOneDataLine() async throws {
        try await withSpoolServer { http in
            let appended = try await http.append("/text", type: "note", payload: #"{"text":"one\ntwo\r\nthree\n\ndata: fake"}"#)
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/text?live=true")
                let received = try await reader.nextEvent()
                #expect(received.event == appended)
                #expect(received.event["payload"]?["text"] == "one\ntwo\r\nthree\n\ndata: fake")
            }
        }
    }

    @Test func acceptEventStreamMeansLive() async throws {
        try await withSpoolServer { http in
            try await http.append("/live", type: "old")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live", headers: [("Accept", "text/event-stream")])
                #expect(reader.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
                #expect(try await reader.nextEvent().event["type"] == "old")
                try await http.append("/live", type: "new")
                #expect(try await reader.nextEvent().event["type"] == "new")
            }
        }
    }

    @Test func afterSkipsHistory() async throws {
        try await withSpoolServer { http in
            for index in 1...5 { try await http.append("/live", type: "e\(index)") }
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live?live=true&after=3")
                #expect(try await reader.nextEvent().id == "4")
                #expect(try await reader.nextEvent().id == "5")
            }
        }
    }

    @Test func lastEventIDResumesAfterThatOffset() async throws {
        try await withSpoolServer { http in
            for index in 1...5 { try await http.append("/live", type: "e\(index)") }
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live?live=true", headers: [("Last-Event-ID", "4")])
                let resumed = try await reader.nextEvent()
                #expect(resumed.id == "5")
                #expect(resumed.event["type"] == "e5")
                try await http.append("/live", type: "e6")
                #expect(try await reader.nextEvent().id == "6")
            }
        }
    }

    @Test func invalidLastEventIDIsRefused() async throws {
        try await withSpoolServer { http in
            try await http.append("/live", type: "e")
            try expectError(
                try await http.get("/streams/live?live=true", headers: [("Last-Event-ID", "nope")]), status: 400,
                code: "invalid_request")
        }
    }

    @Test func ndjsonLiveStreamsLines() async throws {
        try await withSpoolServer { http in
            try await http.append("/live", type: "old")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live?live=true&format=ndjson")
                #expect(reader.status == 200)
                #expect(reader.headers.first(name: "Content-Type")?.hasPrefix("application/x-ndjson") == true)
                let first = try #require(try await reader.nextNonEmptyLine())
                #expect(try JSONValue.parse(first)["type"] == "old")
                try await http.append("/live", type: "new")
                let second = try #require(try await reader.nextNonEmptyLine())
                let event = try JSONValue.parse(second)
                #expect(event["type"] == "new")
                #expect(event["offset"] == 2)
            }
        }
    }

    @Test func idleSSEGetsKeepAliveComments() async throws {
        try await withSpoolServer(configure: { $0.keepAliveInterval = .milliseconds(200) }) { http in
            try await http.append("/idle", type: "only")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/idle?live=true")
                #expect(try await reader.nextEvent().id == "1")
                while true {
                    let next = try await reader.nextFrame()
                    let frame = try #require(next, "the live response ended")
                    #expect(frame.allSatisfy { $0.hasPrefix(":") }, "only comments while idle: \(frame)")
                    if frame == [": keep-alive"] { break }
                }
                // Still live after keep-alives.
                try await http.append("/idle", type: "later")
                #expect(try await reader.nextEvent().id == "2")
            }
        }
    }

    @Test func liveReadOfANeverWrittenStreamWaitsForTheFirstEvent() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.get("/streams/empty"), status: 404, code: "stream_not_found")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/empty?live=true")
                #expect(reader.status == 200)
                #expect(reader.headers.first(name: "Spool-Head-Offset") == "0")
                let first = try await http.append("/empty", type: "hello")
                let received = try await reader.nextEvent()
                #expect(received.id == "1")
                #expect(received.event == first)
            }
        }
    }

    @Test func disconnectedReaderIsCleanedUp() async throws {
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: Logger(label: "spool-test"))
        try await withSpoolServer(store: store) { http in
            try await http.append("/live", type: "e1")
            // Readers of this stream only: the built-in processors follow the feed, and may
            // still be subscribing while a slow test run gets here.
            let path = try StreamPath("/live")
            try await withTimeLimit(.seconds(90)) {  // generous: the start of a full parallel run starves two cores (39 s seen)
                await withThrowingTaskGroup(of: Void.self) { group in
                    let (opened, openedSink) = AsyncStream<Void>.makeStream()
                    group.addTask {
                        var reader = try await http.openStream("/streams/live?live=true")
                        _ = try await reader.nextEvent()
                        openedSink.yield()
                        // Reads until cancelled.
                        while try await reader.nextFrame() != nil {}
                    }
                    for await _ in opened { break }
                    #expect(store.live.subscriberCount(of: path) == 1)
                    group.cancelAll()
                    try? await group.waitForAll()
                }
                try await eventually(.seconds(75)) { store.live.subscriberCount(of: path) == 0 }
            }
            // And the server goes on serving, live reads included.
            try await http.append("/live", type: "e2")
            try await withTimeLimit(.seconds(10)) {
                var reader = try await http.openStream("/streams/live?live=true&after=1")
                #expect(try await reader.nextEvent().event["type"] == "e2")
            }
        }
    }

    @Test func manyReadersEachGetEveryEvent() async throws {
        try await withSpoolServer { http in
            try await withTimeLimit(.seconds(10)) {
                try await withThrowingTaskGroup(of: [String].self) { group in
                    let (ready, readySink) = AsyncStream<Void>.makeStream()
                    for _ in 0..<4 {
                        group.addTask {
                            var reader = try await http.openStream("/streams/fan?live=true")
                            readySink.yield()
                            var ids: [String] = []
                            while ids.count < 3 { ids.append(try await reader.nextEvent().id) }
                            return ids
                        }
                    }
                    var count = 0
                    for await _ in ready {
                        count += 1
                        if count == 4 { break }
                    }
                    for index in 1...3 { try await http.append("/fan", type: "e\(index)") }
                    for try await ids in group { #expect(ids == ["1", "2", "3"]) }
                }
            }
        }
    }

    /// Readers that join while events are appended get their history from the store and the rest
    /// written straight to their connection: every event once, in order, for streams and feeds.
    @Test func readersJoiningDuringABurstGetEveryEventOnceInOrder() async throws {
        let total = 300
        try await withSpoolServer { http in
            try await withTimeLimit(.seconds(60)) {
                try await withThrowingTaskGroup(of: (String, [Int]).self) { group in
                    group.addTask {
                        for index in 1...total { try await http.append("/burst", type: "e\(index)") }
                        return ("appender", [])
                    }
                    for (name, target, joinAfter) in [
                        ("stream from the start", "/streams/burst?live=true", 0),
                        ("stream joining mid-burst", "/streams/burst?live=true", total / 3),
                        ("feed joining mid-burst", "/feed?prefix=/burst&live=true", total / 2),
                    ] {
                        group.addTask {
                            while (try await http.events(of: "/burst")?.count ?? 0) < joinAfter {
                                try await Task.sleep(for: .milliseconds(5))
                            }
                            var reader = try await http.openStream(target)
                            var ids: [Int] = []
                            while ids.count < total { ids.append(Int(try await reader.nextEvent().id) ?? -1) }
                            return (name, ids)
                        }
                    }
                    for try await (name, ids) in group where name != "appender" {
                        #expect(ids == Array(1...total), "\(name): \(ids.count) ids, first wrong at \(ids.indices.first { ids[$0] != $0 + 1 } ?? -1)")
                    }
                }
            }
        }
    }
}
