import SpoolCore
import Testing

/// Compact serialization, and parse → serialize → parse round trips.
@Suite(.timeLimit(.minutes(3))) struct JSONSerializationTests {
    static let documents: [String] = [
        "null", "true", "false", "0", "-7", "9223372036854775807", "-9223372036854775808", "1.5", "-0.25",
        "1e+20", "1.0", "0.1", #""""#, #""plain""#, "[]", "{}", "[1,2.5,\"x\",null,[],{}]",
        #"{"z":1,"a":{"y":[true,false],"b":null},"m":"é€😀"}"#,
        #"{"quote":"\"","backslash":"\\","newline":"\n","tab":"\t","cr":"\r","nul":"\u0000","unit":"\u001f"}"#,
    ]

    @Test(arguments: documents)
    func compactDocumentsSerializeToTheSameText(text: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value.jsonString == text)
        #expect(try JSONValue.parse(value.jsonString) == value)
    }

    @Test func whitespaceIsDroppedAndKeyOrderKept() throws {
        let value = try JSONValue.parse(" {\n  \"b\" : [ 1 , 2 ] ,\n  \"a\" : { } \n} ")
        #expect(value.jsonString == #"{"b":[1,2],"a":{}}"#)
    }

    @Test func escapesControlCharactersQuotesAndBackslashes() {
        let value = JSONValue.string("a\"b\\c\nd\re\tf\u{08}g\u{0C}h\u{01}i\u{1F}")
        #expect(value.jsonString == #""a\"b\\c\nd\re\tf\u0008g\u000ch\u0001i\u001f""#)
    }

    @Test func escapedStringsRoundTrip() throws {
        var text = ""
        for scalar in (0..<0x80).compactMap(Unicode.Scalar.init) { text.unicodeScalars.append(scalar) }
        text += "é€😀𝄞\u{2028}\u{FEFF}"
        let value = JSONValue.string(text)
        #expect(try JSONValue.parse(value.jsonString) == value)
    }

    @Test func writesNonASCIIAsRawUTF8() {
        #expect(JSONValue.string("é😀").jsonString == "\"é😀\"")
    }

    @Test func doublesKeepTheirKindThroughARoundTrip() throws {
        for number in [1.0, -3.0, 0.1, 1e-7, 123456.789, 1e15, 1e300, -2.5e-300, Double.greatestFiniteMagnitude] {
            let text = JSONValue.double(number).jsonString
            guard case .double(let parsed) = try JSONValue.parse(text) else {
                Issue.record("\(number) serialized as \(text), which does not parse as a double")
                continue
            }
            #expect(parsed == number, "\(text)")
        }
        #expect(JSONValue.double(2).jsonString == "2.0")
    }

    @Test func writeAppendsToExistingOutput() {
        var output = Array("prefix:".utf8)
        JSONValue.array([1, "a"]).write(to: &output)
        #expect(String(decoding: output, as: UTF8.self) == #"prefix:[1,"a"]"#)
    }

    @Test func descriptionIsTheCompactJSON() {
        let value: JSONValue = ["k": [1, nil]]
        #expect("\(value)" == #"{"k":[1,null]}"#)
    }
}
