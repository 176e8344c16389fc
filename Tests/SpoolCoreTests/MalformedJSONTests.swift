import SpoolCore
import Testing

/// Everything a strict RFC 8259 parser must refuse.
@Suite(.timeLimit(.minutes(3))) struct MalformedJSONTests {
    static let malformedDocuments: [String] = [
        // Empty or truncated input.
        "", " ", "\n\t", "[", "{", "[1,", #"{"a""#, #"{"a":"#, #"{"a":1"#, "tru", "nul", "-",
        // Trailing data.
        "1 2", "{} {}", "[]]", "{}x", "null,", "truex", "\"a\"\"b\"",
        // Structure.
        "[1,]", #"{"a":1,}"#, "[,1]", "[1 2]", #"{"a" 1}"#, "{a:1}", "{'a':1}", "{1:2}", #"{"a":1 "b":2}"#,
        "]", "}", ":", ",",
        // Numbers.
        "01", "-01", "00", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-.5", "0x10", "1e400", "-1e400",
        "9223372036854775808", "-9223372036854775809", "[12345678901234567890]",
        "NaN", "Infinity", "-Infinity", "[01]",
        // Literals.
        "True", "NULL", "nulll", "fals",
        // Strings: unterminated, control characters, bad escapes, lone surrogates.
        "\"abc", "\"abc\\\"", "\"a\nb\"", "\"a\tb\"", "\"a\u{0}b\"", "\"\u{1F}\"",
        #""\x41""#, #""\a""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\u""#, "\"\\",
        #""\ud800""#, #""\ud800x""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800\ud800""#, #""\ude00\ud83d""#,
    ]

    @Test(arguments: malformedDocuments)
    func refusesMalformedDocument(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    static let badUTF8: [[UInt8]] = [
        [0x22, 0xFF, 0x22],  // never valid in UTF-8
        [0x22, 0xC3, 0x22],  // truncated two-byte sequence
        [0x22, 0x80, 0x22],  // lone continuation byte
        [0x22, 0xC0, 0xAF, 0x22],  // overlong encoding of '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
        [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // after an escape (slow path)
        [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // in an object key
        [0xEF, 0xBB, 0xBF, 0x31],  // byte order mark before the value
        [0xFF],
    ]

    @Test(arguments: badUTF8)
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(bytes) }
    }

    @Test func refusesNestingDeeperThanTheMaximum() {
        let depth = JSONValue.maximumDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(arrays) }
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(objects) }
        let mixed = String(repeating: #"[{"a":"#, count: depth) + "1" + String(repeating: "}]", count: depth)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(mixed) }
    }

    @Test func aVeryDeepDocumentFailsInsteadOfOverflowingTheStack() {
        let text = String(repeating: "[", count: 200_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func reportsTheByteOffsetOfTheProblem() throws {
        let trailing = try #require(throws: JSONParseError.self) { try JSONValue.parse("[1] x") }
        #expect(trailing.byteOffset == 4)
        let control = try #require(throws: JSONParseError.self) { try JSONValue.parse("\"ab\ncd\"") }
        #expect(control.byteOffset == 3)
        let escape = try #require(throws: JSONParseError.self) { try JSONValue.parse(#"["ok","\q"]"#) }
        #expect(escape.byteOffset == 8)
        #expect(escape.description.contains("at byte 8"))
    }
}
