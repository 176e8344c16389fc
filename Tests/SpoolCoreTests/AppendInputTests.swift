import SpoolCore
import Testing

/// Reading and validating what a client sends to append.
@Suite(.timeLimit(.minutes(3))) struct AppendInputTests {
    private func input(_ json: String) throws -> AppendInput {
        try AppendInput(json: JSONValue.parse(json))
    }

    private func refusal(_ json: String) throws -> SpoolError {
        try #require(throws: SpoolError.self) { try self.input(json) }
    }

    @Test func readsEveryField() throws {
        let input = try input(
            #"{"type":"agent/input-added","payload":{"content":"hi"},"metadata":{"source":"cli"},"idempotencyKey":"cli-1","expectedOffset":0}"#)
        #expect(input.type == "agent/input-added")
        #expect(input.payload == ["content": "hi"])
        #expect(input.metadata == ["source": "cli"])
        #expect(input.idempotencyKey == "cli-1")
        #expect(input.expectedOffset == 0)
    }

    @Test func optionalFieldsDefault() throws {
        let input = try input(#"{"type":"note"}"#)
        #expect(input.payload == .emptyObject)
        #expect(input.metadata == nil)
        #expect(input.idempotencyKey == nil)
        #expect(input.expectedOffset == nil)
        let nulls = try self.input(#"{"type":"note","payload":null,"metadata":null,"idempotencyKey":null,"expectedOffset":null}"#)
        #expect(nulls == input)
    }

    @Test func jsonValueRoundTrips() throws {
        let input = try AppendInput(
            type: "t/x", payload: ["b": 1, "a": [true]], metadata: ["m": "v"], idempotencyKey: "k", expectedOffset: 3)
        #expect(try AppendInput(json: input.jsonValue) == input)
        #expect(input.jsonValue.objectValue?.keys == ["type", "payload", "metadata", "idempotencyKey", "expectedOffset"])
        let minimal = try AppendInput(type: "t")
        #expect(minimal.jsonValue == ["type": "t", "payload": [:]])
    }

    static let invalidInputs: [String] = [
        // Not an object.
        "[]", #""type""#, "null", "1",
        // Unknown fields.
        #"{"type":"t","extra":1}"#, #"{"type":"t","Type":"t"}"#, #"{"type":"t","offset":1}"#,
        // Missing or mistyped type.
        "{}", #"{"payload":{}}"#, #"{"type":null}"#, #"{"type":1}"#, #"{"type":["t"]}"#, #"{"type":{}}"#,
        // Bad type strings.
        #"{"type":""}"#, #"{"type":"has space"}"#, #"{"type":" leading"}"#, #"{"type":"trailing "}"#,
        #"{"type":"tab\there"}"#, #"{"type":"new\nline"}"#, #"{"type":"nul\u0000"}"#, #"{"type":"del\u007f"}"#,
        #"{"type":"nbsp\u00a0x"}"#, #"{"type":"zero\u200bwidth"}"#, #"{"type":"ideographic\u3000space"}"#,
        // Payload and metadata must be objects.
        #"{"type":"t","payload":[]}"#, #"{"type":"t","payload":"text"}"#, #"{"type":"t","payload":1}"#,
        #"{"type":"t","payload":true}"#, #"{"type":"t","metadata":[]}"#, #"{"type":"t","metadata":"m"}"#,
        // Idempotency keys.
        #"{"type":"t","idempotencyKey":""}"#, #"{"type":"t","idempotencyKey":7}"#, #"{"type":"t","idempotencyKey":{}}"#,
        // Expected offsets.
        #"{"type":"t","expectedOffset":-1}"#, #"{"type":"t","expectedOffset":1.5}"#, #"{"type":"t","expectedOffset":"3"}"#,
    ]

    @Test(arguments: invalidInputs)
    func refusesInvalidInput(json: String) throws {
        #expect(try refusal(json).code == .invalidEvent)
    }

    @Test func unknownFieldErrorNamesTheField() throws {
        #expect(try refusal(#"{"type":"t","payLoad":{}}"#).message.contains("'payLoad'"))
    }

    /// The limits count characters, as the contract says, not the bytes of their UTF-8.
    @Test func typeMayHave256Characters() throws {
        let longest = String(repeating: "t", count: 256)
        #expect(try AppendInput(type: longest).type == longest)
        #expect(try refusal(#"{"type":"\#(longest)x"}"#).code == .invalidEvent)
        let accented = String(repeating: "é", count: 256)
        #expect(try input(#"{"type":"\#(accented)"}"#).type == accented)
        #expect(throws: SpoolError.self) { try AppendInput(type: accented + "é") }
    }

    @Test func typeMayUseAnyPrintableNonSpaceCharacters() throws {
        for type in ["agent/input-added", "spool/stream-paused", "a.b:c@d#e!f", "ünïcødé/événement", "😀"] {
            #expect(try AppendInput(type: type).type == type)
        }
    }

    @Test func idempotencyKeyMayHave256Characters() throws {
        let longest = String(repeating: "k", count: 256)
        #expect(try input(#"{"type":"t","idempotencyKey":"\#(longest)"}"#).idempotencyKey == longest)
        #expect(try refusal(#"{"type":"t","idempotencyKey":"\#(longest)k"}"#).code == .invalidEvent)
        let accented = String(repeating: "ø", count: 256)
        #expect(try input(#"{"type":"t","idempotencyKey":"\#(accented)"}"#).idempotencyKey == accented)
        #expect(try refusal(#"{"type":"t","idempotencyKey":"\#(accented)ø"}"#).code == .invalidEvent)
    }

    /// A NUL would fail the whole group commit on PostgreSQL and be cut off by SQLite's readers.
    @Test func idempotencyKeyMayNotHaveControlCharacters() throws {
        for key in [#"a\u0000b"#, #"a\nb"#, #"\u007f"#, #"x\u0085"#] {
            #expect(try refusal(#"{"type":"t","idempotencyKey":"\#(key)"}"#).code == .invalidEvent, "\(key)")
        }
        #expect(try input(#"{"type":"t","idempotencyKey":"order 42 – ünï"}"#).idempotencyKey == "order 42 – ünï")
    }

    @Test func expectedOffsetZeroAndPositiveAreAccepted() throws {
        #expect(try input(#"{"type":"t","expectedOffset":0}"#).expectedOffset == 0)
        #expect(try input(#"{"type":"t","expectedOffset":41}"#).expectedOffset == 41)
        #expect(throws: SpoolError.self) { try AppendInput(type: "t", expectedOffset: -5) }
    }

    @Test func initialiserValidatesPayloadAndMetadata() throws {
        #expect(throws: SpoolError.self) { try AppendInput(type: "t", payload: [1]) }
        #expect(throws: SpoolError.self) { try AppendInput(type: "t", payload: nil) }
        #expect(throws: SpoolError.self) { try AppendInput(type: "t", metadata: "m") }
        #expect(throws: SpoolError.self) { try AppendInput(type: "t", idempotencyKey: "") }
    }
}
