import SpoolCore
import Testing

/// Well-formed documents: values, key order, number kinds and escapes.
@Suite(.timeLimit(.minutes(3))) struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" { "n": null, "t": true, "f": false, "i": -12, "d": 2.5, "s": "x", "a": [1, []], "o": {} } "#)
        #expect(value == ["n": nil, "t": true, "f": false, "i": -12, "d": 2.5, "s": "x", "a": [1, []], "o": [:]])
    }

    @Test(arguments: ["null", "true", "false", "0", "-0", "\"\"", "[]", "{}", " \t\r\n 7 \t\r\n "])
    func parsesScalarAndEmptyTopLevelDocuments(text: String) throws {
        #expect(throws: Never.self) { try JSONValue.parse(text) }
    }

    @Test func keepsObjectKeysInDocumentOrder() throws {
        let value = try JSONValue.parse(#"{"zebra":1,"apple":2,"mango":{"b":1,"a":2}}"#)
        #expect(value.objectValue?.keys == ["zebra", "apple", "mango"])
        #expect(value["mango"]?.objectValue?.keys == ["b", "a"])
        #expect(value.jsonString == #"{"zebra":1,"apple":2,"mango":{"b":1,"a":2}}"#)
    }

    @Test func duplicateKeysKeepTheLastValueAtTheFirstPosition() throws {
        let value = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == 3)
    }

    @Test func integersStayIntegers() throws {
        for (text, expected) in [("0", Int64(0)), ("-0", 0), ("42", 42), ("-17", -17),
                                 ("9223372036854775807", .max), ("-9223372036854775808", .min)] {
            guard case .int(let value) = try JSONValue.parse(text) else {
                Issue.record("\(text) did not parse as an integer")
                continue
            }
            #expect(value == expected)
        }
    }

    @Test func fractionsAndExponentsAreDoubles() throws {
        let cases: [(String, Double)] = [
            ("1.0", 1.0), ("-0.5", -0.5), ("1e2", 100), ("1E+2", 100), ("25e-1", 2.5), ("0.1", 0.1),
            ("9223372036854775808.0", 9_223_372_036_854_775_808), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ]
        for (text, expected) in cases {
            guard case .double(let value) = try JSONValue.parse(text) else {
                Issue.record("\(text) did not parse as a double")
                continue
            }
            #expect(value == expected, "\(text)")
        }
    }

    /// A double would keep 15–17 of its digits: an id that lost digits is another id.
    @Test func integersBeyond64BitsAreRefusedNotRounded() {
        for text in ["9223372036854775808", "-9223372036854775809", #"{"id":12345678901234567890}"#] {
            #expect { try JSONValue.parse(text) } throws: { error in
                "\(error)".contains("does not fit in 64 bits; send it as a string")
            }
        }
    }

    @Test func decodesSimpleEscapes() throws {
        let value = try JSONValue.parse(#""\" \\ \/ \b \f \n \r \t""#)
        #expect(value == .string("\" \\ / \u{08} \u{0C} \n \r \t"))
    }

    @Test func decodesUnicodeEscapesIncludingSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""\u0041\u00e9\u20AC""#) == "Aé€")
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == "😀")
        #expect(try JSONValue.parse(#""\uD834\uDD1E clef""#) == "𝄞 clef")
        #expect(try JSONValue.parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test func keepsRawMultibyteUTF8() throws {
        #expect(try JSONValue.parse(#"{"名前":"Ada 👩‍💻","ü":"\u00fc"}"#) == ["名前": "Ada 👩‍💻", "ü": "ü"])
    }

    @Test func parsesBytesAsWellAsStrings() throws {
        let bytes: [UInt8] = Array(#"{"a":[1,2]}"#.utf8)
        #expect(try JSONValue.parse(bytes) == ["a": [1, 2]])
        #expect(try JSONValue.parse(bytes[...]) == ["a": [1, 2]])
    }

    @Test func acceptsNestingUpToTheMaximumDepth() throws {
        let depth = JSONValue.maximumDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONValue.parse(arrays) }
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: Never.self) { try JSONValue.parse(objects) }
    }
}
