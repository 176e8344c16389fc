import SpoolCore
import Testing

/// `GET /streams/{path}` without `live`: formats, paging and the head offset header.
@Suite(.timeLimit(.minutes(3))) struct ReadTests {
    /// Appends `count` events `e1`, `e2`, … to `path`.
    static func seed(_ http: SpoolHTTP, _ path: String, count: Int) async throws {
        var next = 1
        while next <= count {
            let end = min(count, next + 999)
            let body = "[" + (next...end).map { #"{"type":"e\#($0)","payload":{"i":\#($0)}}"# }.joined(separator: ",") + "]"
            let result = try await http.post("/streams" + path, json: body)
            #expect(result.status == 201)
            next = end + 1
        }
    }

    @Test func readsAJSONArrayWithTheHeadOffset() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/r", count: 3)
            let result = try await http.get("/streams/r")
            #expect(result.status == 200)
            #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(result.header("Spool-Head-Offset") == "3")
            let events = try #require(try result.json().arrayValue)
            #expect(events.map { $0["offset"] } == [1, 2, 3])
            #expect(events.map { $0["type"] } == ["e1", "e2", "e3"])
            #expect(events.map { $0["payload"] } == [["i": 1], ["i": 2], ["i": 3]])
            #expect(events.allSatisfy { $0["streamPath"] == "/r" && isTimestampWithMilliseconds($0["createdAt"]?.stringValue) })
        }
    }

    @Test func afterAndLimitSelectAWindow() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/r", count: 10)
            let window = try await http.get("/streams/r?after=3&limit=4")
            #expect(window.status == 200)
            #expect(window.header("Spool-Head-Offset") == "10")
            #expect(try window.json().arrayValue?.map { $0["offset"] } == [4, 5, 6, 7])
            let tail = try await http.get("/streams/r?after=8")
            #expect(try tail.json().arrayValue?.map { $0["offset"] } == [9, 10])
            let beyond = try await http.get("/streams/r?after=10")
            #expect(beyond.status == 200)
            #expect(try beyond.json() == [])
            #expect(beyond.header("Spool-Head-Offset") == "10")
        }
    }

    @Test func defaultLimitIsAThousand() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/r", count: 1200)
            let events = try #require(try await http.get("/streams/r").json().arrayValue)
            #expect(events.count == 1000)
            #expect(events.last?["offset"] == 1000)
        }
    }

    @Test func largeReadIsPagedInternallyAndComplete() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/big", count: 2500)
            let result = try await http.get("/streams/big?limit=10000")
            #expect(result.status == 200)
            #expect(result.header("Spool-Head-Offset") == "2500")
            let events = try #require(try result.json().arrayValue)
            #expect(events.count == 2500)
            #expect(events.compactMap { $0["offset"]?.intValue } == Array(1...2500))
            #expect(events.map { $0["type"] } == (1...2500).map { JSONValue.string("e\($0)") })
        }
    }

    @Test func ndjsonByAcceptHeaderAndByFormat() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/r", count: 3)
            let byAccept = try await http.get("/streams/r", headers: [("Accept", "application/x-ndjson")])
            let byFormat = try await http.get("/streams/r?format=ndjson")
            for result in [byAccept, byFormat] {
                #expect(result.status == 200)
                #expect(result.header("Content-Type")?.hasPrefix("application/x-ndjson") == true)
                #expect(result.header("Spool-Head-Offset") == "3")
                #expect(result.text.hasSuffix("\n"))
                let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                #expect(lines.count == 3)
                let events = try lines.map { try JSONValue.parse(String($0)) }
                #expect(events.map { $0["offset"] } == [1, 2, 3])
            }
            #expect(byAccept.body == byFormat.body)
            let json = try await http.get("/streams/r").json()
            #expect(try json.arrayValue == byFormat.text.split(separator: "\n").map { try JSONValue.parse(String($0)) })
        }
    }

    @Test func yamlDocumentsInEnvelopeOrder() async throws {
        try await withSpoolServer { http in
            let posted = try await http.post(
                "/streams/y", json: #"[{"type":"note","payload":{"text":"hello","n":2},"metadata":{"by":"cli"}},{"type":"other"}]"#)
            #expect(posted.status == 201)
            let result = try await http.get("/streams/y?format=yaml")
            #expect(result.status == 200)
            #expect(result.header("Content-Type")?.contains("yaml") == true)
            #expect(result.header("Spool-Head-Offset") == "2")
            let text = result.text
            #expect(text.hasPrefix("---\n"))
            let documents = text.components(separatedBy: "---\n").dropFirst()
            #expect(documents.count == 2)
            let first = try #require(documents.first)
            let topLevelKeys = first.split(separator: "\n")
                .filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }
                .compactMap { $0.split(separator: ":", maxSplits: 1).first.map(String.init) }
            #expect(topLevelKeys == ["type", "payload", "metadata", "offset", "position", "streamPath", "createdAt"])
            #expect(first.hasPrefix("type: note\npayload:\n"))
            #expect(first.contains("  text: hello\n"))
            #expect(first.contains("offset: 1\n"))
            let byAccept = try await http.get("/streams/y", headers: [("Accept", "application/yaml")])
            #expect(byAccept.body == result.body)
        }
    }

    @Test func neverWrittenStreamIsNotFound() async throws {
        try await withSpoolServer { http in
            try await http.append("/exists", type: "t")
            try expectError(try await http.get("/streams/missing"), status: 404, code: "stream_not_found")
            try expectError(try await http.get("/streams/missing?format=ndjson"), status: 404, code: "stream_not_found")
            // A prefix of an existing stream is not a stream.
            try expectError(try await http.get("/streams/exists/child"), status: 404, code: "stream_not_found")
        }
    }

    struct BadQuery: Sendable, CustomTestStringConvertible {
        var query: String
        var testDescription: String { query }
    }

    static let badQueries: [BadQuery] = [
        "after=-1", "after=abc", "after=1.5", "after=", "limit=-5", "limit=ten", "limit=0", "limit=10001",
        "format=xml", "format=", "live=maybe",
    ].map(BadQuery.init)

    @Test(arguments: badQueries)
    func invalidQueryIsRefused(_ bad: BadQuery) async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/q", count: 2)
            try expectError(try await http.get("/streams/q?" + bad.query), status: 400, code: "invalid_request")
            #expect(try await http.events(of: "/q")?.count == 2)
        }
    }

    @Test func limitBoundsAreAccepted() async throws {
        try await withSpoolServer { http in
            try await Self.seed(http, "/q", count: 2)
            #expect(try await http.get("/streams/q?limit=1").json().arrayValue?.count == 1)
            #expect(try await http.get("/streams/q?limit=10000").json().arrayValue?.count == 2)
        }
    }
}
