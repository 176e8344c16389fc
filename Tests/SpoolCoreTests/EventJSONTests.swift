import SpoolCore
import Testing

/// The stored event's wire JSON (the contract's envelope).
@Suite(.timeLimit(.minutes(3))) struct EventJSONTests {
    private func event(metadata: String? = #"{"source":"cli"}"#, key: String? = "cli-7f3a") throws -> Event {
        Event(
            streamPath: try StreamPath("/agents/ada"), offset: 7, position: 1042, type: "agent/input-added",
            payloadJSON: #"{"content":"Summarise the build log","n":[1,2.5]}"#, metadataJSON: metadata,
            idempotencyKey: key, createdAt: Timestamp(millisecondsSinceEpoch: 1_795_511_523_512))
    }

    @Test func wireJSONFollowsTheContract() throws {
        #expect(
            try event().jsonString
                == #"{"streamPath":"/agents/ada","offset":7,"position":1042,"type":"agent/input-added","payload":{"content":"Summarise the build log","n":[1,2.5]},"metadata":{"source":"cli"},"idempotencyKey":"cli-7f3a","createdAt":"2026-11-24T09:12:03.512Z"}"#
        )
    }

    /// A page's events share one memo: what it keeps of one event never leaks into the next.
    @Test func writingAPageWithAMemoGivesEachEventsOwnJSON() throws {
        let base = try event()
        var others: [Event] = [base, base]
        for (index, (path, millis)) in [("/agents/ada", 0), ("/agents/bob", 0), ("/agents/bob", 1), ("/b", -86_400_001)].enumerated() {
            var next = base
            next.streamPath = try StreamPath(path)
            next.createdAt = Timestamp(millisecondsSinceEpoch: base.createdAt.millisecondsSinceEpoch + Int64(millis))
            next.offset = [0, 9, 10, Int.max][index]
            next.position = [1, 99, 100, 1_000_000_007][index]
            others.append(next)
        }
        var memo = JSONWriteMemo()
        var page: [UInt8] = []
        var separately: [UInt8] = []
        for event in others {
            event.writeJSON(to: &page, memo: &memo)
            separately.append(contentsOf: event.jsonString.utf8)
        }
        #expect(String(decoding: page, as: UTF8.self) == String(decoding: separately, as: UTF8.self))
        #expect(String(decoding: page, as: UTF8.self).contains(#""offset":9223372036854775807,"position":1000000007"#))
        #expect(String(decoding: page, as: UTF8.self).contains(#""streamPath":"/agents/bob","offset":9,"#))
    }

    @Test func optionalFieldsAreOmitted() throws {
        let json = try JSONValue.parse(try event(metadata: nil, key: nil).jsonString)
        #expect(json.objectValue?.keys == ["streamPath", "offset", "position", "type", "payload", "createdAt"])
    }

    @Test(arguments: [(true, true), (true, false), (false, true), (false, false)])
    func wireJSONRoundTrips(withMetadata: Bool, withKey: Bool) throws {
        let original = try event(metadata: withMetadata ? #"{"source":"cli"}"# : nil, key: withKey ? "k" : nil)
        #expect(try Event(json: JSONValue.parse(original.jsonString)) == original)
    }

    @Test func specialCharactersInStringsRoundTrip() throws {
        var original = try event()
        original.type = "type/with\"quote\\"
        original.idempotencyKey = "key\n\u{1}é😀"
        original.payloadJSON = JSONValue.object(["text": "line\nbreak \"quoted\" \u{0}"]).jsonString
        #expect(try Event(json: JSONValue.parse(original.jsonString)) == original)
    }

    @Test func payloadAndMetadataParseOnAccess() throws {
        let event = try event()
        #expect(event.payload == ["content": "Summarise the build log", "n": [1, 2.5]])
        #expect(event.metadata == ["source": "cli"])
    }

    @Test func envelopePutsTheInputFieldsFirst() throws {
        let envelope = try event().envelope
        #expect(
            envelope.objectValue?.keys
                == ["type", "payload", "metadata", "offset", "position", "streamPath", "idempotencyKey", "createdAt"])
        #expect(try envelope == JSONValue.parse(event().jsonString))
    }

    @Test(arguments: [
        #"{"offset":1,"position":1,"type":"t","createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a b","offset":1,"position":1,"type":"t","createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a","position":1,"type":"t","createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a","offset":"1","position":1,"type":"t","createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a","offset":1,"type":"t","createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a","offset":1,"position":1,"createdAt":"2026-11-24T09:12:03.512Z"}"#,
        #"{"streamPath":"/a","offset":1,"position":1,"type":"t"}"#,
        #"{"streamPath":"/a","offset":1,"position":1,"type":"t","createdAt":"yesterday"}"#,
        #"[]"#,
    ])
    func refusesIncompleteEventJSON(json: String) throws {
        #expect(throws: SpoolError.self) { try Event(json: JSONValue.parse(json)) }
    }
}
