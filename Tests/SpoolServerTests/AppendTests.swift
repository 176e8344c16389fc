import SpoolCore
import Testing

/// `POST /streams/{path}`: what a successful append, a batch, idempotency and
/// optimistic concurrency answer.
@Suite(.timeLimit(.minutes(3))) struct AppendTests {
    @Test func singleEventIsStoredAndReturned() async throws {
        try await withSpoolServer { http in
            let result = try await http.post(
                "/streams/agents/ada",
                json: #"{"type":"message/posted","payload":{"content":"hi","n":1},"metadata":{"source":"cli"},"idempotencyKey":"cli-1"}"#)
            #expect(result.status == 201)
            #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
            let event = try result.json()
            #expect(event["streamPath"] == "/agents/ada")
            #expect(event["offset"] == 1)
            #expect((event["position"]?.intValue ?? 0) >= 1)
            #expect(event["type"] == "message/posted")
            #expect(event["payload"] == ["content": "hi", "n": 1])
            #expect(event["metadata"] == ["source": "cli"])
            #expect(event["idempotencyKey"] == "cli-1")
            #expect(isTimestampWithMilliseconds(event["createdAt"]?.stringValue), "createdAt: \(String(describing: event["createdAt"]))")
            #expect(event.objectValue?.keys == [
                "streamPath", "offset", "position", "type", "payload", "metadata", "idempotencyKey", "createdAt",
            ])

            let stored = try #require(try await http.events(of: "/agents/ada"))
            #expect(stored == [event])
        }
    }

    @Test func payloadDefaultsToEmptyObject() async throws {
        try await withSpoolServer { http in
            let result = try await http.post("/streams/a", json: #"{"type":"t"}"#)
            #expect(result.status == 201)
            let event = try result.json()
            #expect(event["payload"] == [:])
            #expect(event["metadata"] == nil)
            #expect(event["idempotencyKey"] == nil)
        }
    }

    @Test func batchIsStoredWithConsecutiveOffsets() async throws {
        try await withSpoolServer { http in
            try await http.append("/b", type: "first")
            let result = try await http.post(
                "/streams/b", json: #"[{"type":"x","payload":{"i":1}},{"type":"y","payload":{"i":2}},{"type":"z"}]"#)
            #expect(result.status == 201)
            let events = try #require(try result.json().arrayValue)
            #expect(events.map { $0["offset"] } == [2, 3, 4])
            #expect(events.map { $0["type"] } == ["x", "y", "z"])
            let positions = events.compactMap { $0["position"]?.intValue }
            #expect(positions.count == 3)
            #expect(positions == positions.sorted() && Set(positions).count == 3)
            #expect(try await http.events(of: "/b")?.count == 4)
        }
    }

    @Test func idempotentReappendReturnsTheOriginal() async throws {
        try await withSpoolServer { http in
            let body = #"{"type":"t","payload":{"a":1,"b":2},"idempotencyKey":"k-1"}"#
            let first = try await http.post("/streams/idem", json: body)
            #expect(first.status == 201)
            // The same payload with its keys in another order is the same payload.
            let again = try await http.post("/streams/idem", json: #"{"type":"t","payload":{"b":2,"a":1},"idempotencyKey":"k-1"}"#)
            #expect(again.status == 200)
            #expect(try again.json() == first.json())
            #expect(try await http.events(of: "/idem")?.count == 1)
            #expect(again.header("Spool-Head-Offset") == "1")
            // Once the stream has grown, a replay still answers with the original, and the head as it is.
            try await http.append("/idem", type: "t2")
            let later = try await http.post("/streams/idem", json: body)
            #expect(later.status == 200)
            #expect(try later.json()["offset"] == 1)
            #expect(later.header("Spool-Head-Offset") == "2")
        }
    }

    @Test func sameKeyWithDifferentPayloadConflicts() async throws {
        try await withSpoolServer { http in
            let first = try await http.post("/streams/idem", json: #"{"type":"t","payload":{"a":1},"idempotencyKey":"k-1"}"#)
            #expect(first.status == 201)
            let other = try await http.post("/streams/idem", json: #"{"type":"t","payload":{"a":2},"idempotencyKey":"k-1"}"#)
            try expectError(other, status: 409, code: "idempotency_conflict")
            let otherType = try await http.post("/streams/idem", json: #"{"type":"u","payload":{"a":1},"idempotencyKey":"k-1"}"#)
            try expectError(otherType, status: 409, code: "idempotency_conflict")
            #expect(try await http.events(of: "/idem") == [try first.json()])
        }
    }

    /// `é` as one code point and as `e` with a combining accent are different JSON strings,
    /// though Swift's `String ==` calls them equal: a retry must match what was stored exactly.
    @Test func canonicallyEquivalentButDifferentTextConflicts() async throws {
        try await withSpoolServer { http in
            let first = try await http.post("/streams/nfc", json: #"{"type":"t\u00e9","payload":{"name":"\u00e9"},"idempotencyKey":"k"}"#)
            #expect(first.status == 201)
            let payload = try await http.post("/streams/nfc", json: #"{"type":"t\u00e9","payload":{"name":"e\u0301"},"idempotencyKey":"k"}"#)
            try expectError(payload, status: 409, code: "idempotency_conflict")
            let key = try await http.post("/streams/nfc", json: #"{"type":"t\u00e9","payload":{"n\u00e9":1},"idempotencyKey":"k2"}"#)
            #expect(key.status == 201)
            let otherKey = try await http.post("/streams/nfc", json: #"{"type":"t\u00e9","payload":{"ne\u0301":1},"idempotencyKey":"k2"}"#)
            try expectError(otherKey, status: 409, code: "idempotency_conflict")
            let type = try await http.post("/streams/nfc", json: #"{"type":"te\u0301","payload":{"name":"\u00e9"},"idempotencyKey":"k"}"#)
            try expectError(type, status: 409, code: "idempotency_conflict")
            let replay = try await http.post("/streams/nfc", json: #"{"type":"t\u00e9","payload":{"name":"\u00e9"},"idempotencyKey":"k"}"#)
            #expect(replay.status == 200)
        }
    }

    /// A replay's numbers must be the stored ones exactly: 2^53 + 1 and 2^53 differ, though
    /// both are the same `Double`; `1` and `1.0` are one number.
    @Test func replayedNumbersMustMatchExactly() async throws {
        try await withSpoolServer { http in
            let first = try await http.post("/streams/num", json: #"{"type":"t","payload":{"n":9007199254740993,"one":1},"idempotencyKey":"k"}"#)
            #expect(first.status == 201)
            let rounded = try await http.post("/streams/num", json: #"{"type":"t","payload":{"n":9007199254740992.0,"one":1},"idempotencyKey":"k"}"#)
            try expectError(rounded, status: 409, code: "idempotency_conflict")
            let replay = try await http.post("/streams/num", json: #"{"type":"t","payload":{"n":9007199254740993,"one":1.0},"idempotencyKey":"k"}"#)
            #expect(replay.status == 200)
        }
    }

    @Test func expectedOffsetMismatchConflictsWithHeadOffset() async throws {
        try await withSpoolServer { http in
            try await http.append("/occ", type: "a")
            try await http.append("/occ", type: "b")
            let stale = try await http.post("/streams/occ", json: #"{"type":"c","expectedOffset":1}"#)
            let error = try expectError(stale, status: 409, code: "offset_conflict")
            #expect(error["headOffset"] == 2)
            let fresh = try await http.post("/streams/occ", json: #"{"type":"c","expectedOffset":2}"#)
            #expect(fresh.status == 201)
            #expect(try fresh.json()["offset"] == 3)
        }
    }

    @Test func expectedOffsetZeroRequiresAnEmptyStream() async throws {
        try await withSpoolServer { http in
            let created = try await http.post("/streams/new", json: #"{"type":"a","expectedOffset":0}"#)
            #expect(created.status == 201)
            let error = try expectError(
                try await http.post("/streams/new", json: #"{"type":"a","expectedOffset":0}"#), status: 409, code: "offset_conflict")
            #expect(error["headOffset"] == 1)
            #expect(try await http.events(of: "/new")?.count == 1)
        }
    }

    @Test func concurrentAppendsGetGaplessOffsets() async throws {
        try await withSpoolServer { http in
            let offsets = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for index in 0..<32 {
                    group.addTask { try await http.append("/busy", type: "e\(index)")["offset"]?.intValue }
                }
                return try await group.reduce(into: [Int64]()) { if let offset = $1 { $0.append(offset) } }
            }
            #expect(offsets.sorted() == Array(1...32))
            let stored = try #require(try await http.events(of: "/busy"))
            #expect(stored.compactMap { $0["offset"]?.intValue } == Array(1...32))
            let positions = stored.compactMap { $0["position"]?.intValue }
            #expect(positions == positions.sorted() && Set(positions).count == 32)
        }
    }
}
