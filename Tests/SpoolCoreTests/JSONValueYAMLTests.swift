import SpoolCore
import Yams
import Testing

/// Block-style YAML for people: types survive, multi-line text stays readable.
@Suite(.timeLimit(.minutes(3))) struct JSONValueYAMLTests {
    @Test func rendersNestedObjectsAndArraysInKeyOrder() {
        let value: JSONValue = [
            "type": "agent/input-added",
            "payload": ["content": "Summarise the log", "count": 3, "ratio": 0.5, "ok": true, "none": nil],
            "tags": ["a", ["k": "v", "num": 1], [1, 2]],
            "empty": [:],
            "list": [],
        ]
        #expect(
            value.yamlString == """
                type: agent/input-added
                payload:
                  content: Summarise the log
                  count: 3
                  ratio: 0.5
                  ok: true
                  none: null
                tags:
                  - a
                  - k: v
                    num: 1
                  -
                    - 1
                    - 2
                empty: {}
                list: []

                """)
    }

    static let stringsThatNeedQuotes: [String] = [
        "", "123", "1.5", "-1", "+1", ".5", "0x1F", "1e3", "2026-11-24", "true", "False", "TRUE", "yes", "No",
        "on", "OFF", "y", "n", "null", "Null", "~", ".nan", ".inf", "-.inf", " leading", "trailing ", "key:",
        "a: b", "a #b", "#comment", "*alias", "&anchor", "!tag", "%directive", "@at", "`tick", "'single",
        "\"double", "[x", "]x", "{x", "}x", "|x", ">x", "?x", ",x", "-x", ":x", "tab\there", "\u{FEFF}bom",
        "line\r", "carriage\rreturn",
    ]

    @Test(arguments: stringsThatNeedQuotes)
    func quotesStringsAYAMLParserWouldMisread(text: String) {
        let expected = JSONValue.string(text).jsonString
        #expect(JSONValue.object(["k": .string(text)]).yamlString == "k: \(expected)\n")
        #expect(JSONValue.array([.string(text)]).yamlString == "- \(expected)\n")
        #expect(JSONValue.object([text: 1]).yamlString == "\(expected): 1\n")
    }

    static let plainStrings: [String] = [
        "hello", "hello world", "agent/input-added", "a:b", "a#b", "nan", "Infinity", "yesterday", "x-1", "é€",
    ]

    @Test(arguments: plainStrings)
    func leavesUnambiguousStringsPlain(text: String) {
        #expect(JSONValue.object(["k": .string(text)]).yamlString == "k: \(text)\n")
    }

    @Test func numbersAndBooleansStayUnquoted() {
        let value: JSONValue = ["i": 42, "neg": -7, "d": 2.0, "b": false]
        #expect(value.yamlString == "i: 42\nneg: -7\nd: 2.0\nb: false\n")
    }

    @Test func multiLineStringsBecomeLiteralBlocks() {
        #expect(JSONValue.object(["t": "one\ntwo"]).yamlString == "t: |-\n  one\n  two\n")
        #expect(JSONValue.object(["t": "one\ntwo\n"]).yamlString == "t: |\n  one\n  two\n")
        #expect(JSONValue.object(["t": "one\ntwo\n\n"]).yamlString == "t: |+\n  one\n  two\n\n")
        #expect(JSONValue.object(["t": "one\n\n  two"]).yamlString == "t: |-\n  one\n\n    two\n")
        #expect(JSONValue.object(["t": "key: value\n# not a comment"]).yamlString == "t: |-\n  key: value\n  # not a comment\n")
    }

    @Test func literalBlocksIndentUnderTheirParent() {
        let value: JSONValue = ["outer": ["t": "a\nb"], "list": ["c\nd", ["m": "e\nf"]]]
        #expect(
            value.yamlString
                == "outer:\n  t: |-\n    a\n    b\nlist:\n  - |-\n    c\n    d\n  - m: |-\n      e\n      f\n")
    }

    @Test func objectsInArraysStartOnTheDashLine() {
        let value: JSONValue = [["a": 1, "b": ["x": true]], ["c": []]]
        #expect(value.yamlString == "- a: 1\n  b:\n    x: true\n- c: []\n")
    }

    @Test func multiLineStringsThatCannotBeBlocksAreQuoted() {
        #expect(JSONValue.object(["t": " indented\nsecond"]).yamlString == #"t: " indented\nsecond""# + "\n")
        #expect(JSONValue.object(["t": "\nstarts with newline"]).yamlString == #"t: "\nstarts with newline""# + "\n")
        #expect(JSONValue.object(["t": "tab\there\nline"]).yamlString == #"t: "tab\there\nline""# + "\n")
    }

    @Test func topLevelScalarsAndEmptyContainers() {
        #expect(JSONValue.string("hello").yamlString == "hello\n")
        #expect(JSONValue.string("true").yamlString == "\"true\"\n")
        #expect(JSONValue.string("a\nb").yamlString == "\"a\\nb\"\n")
        #expect(JSONValue.int(5).yamlString == "5\n")
        #expect(JSONValue.null.yamlString == "null\n")
        #expect(JSONValue.emptyObject.yamlString == "{}\n")
        #expect(JSONValue.array([]).yamlString == "[]\n")
    }
}

/// Characters YAML forbids raw (DEL, C1 controls, U+FFFE/U+FFFF) or reads as line breaks
/// (NEL, U+2028, U+2029) are escaped, so a YAML parser reads the strings back unchanged.
@Suite(.timeLimit(.minutes(3))) struct YAMLUnprintableCharacterTests {
    static let unprintable: [Unicode.Scalar] = ["\u{7F}", "\u{80}", "\u{85}", "\u{9F}", "\u{2028}", "\u{2029}", "\u{FFFE}", "\u{FFFF}"]

    static let strings: [String] = unprintable.flatMap { scalar in
        let character = String(Character(scalar))
        return ["a\(character)b", character, "one\ntwo\(character)", "\(character)\u{1}"]
    }

    @Test(arguments: strings)
    func aYAMLParserReadsTheStringBack(text: String) throws {
        let document: JSONValue = ["value": .string(text), "list": [.string(text)], text: 1]
        let yaml = document.yamlString
        let read = try #require(try Yams.load(yaml: yaml) as? [String: Any], "\(yaml)")
        #expect(read["value"] as? String == text, "\(yaml)")
        #expect((read["list"] as? [Any])?.first as? String == text, "\(yaml)")
        #expect(read[text] as? Int == 1, "\(yaml)")
        #expect(!yaml.unicodeScalars.contains { Self.unprintable.contains($0) }, "written raw: \(yaml)")
    }

    @Test func escapesAreYAMLsOwn() {
        let value: JSONValue = ["del": "a\u{7F}b", "c1": "a\u{80}b", "nel": "a\u{85}b", "ls": "a\u{2028}b", "ps": "a\u{2029}b", "fffe": "a\u{FFFE}b"]
        #expect(
            value.yamlString
                == #"""
                del: "a\u007Fb"
                c1: "a\u0080b"
                nel: "a\Nb"
                ls: "a\Lb"
                ps: "a\Pb"
                fffe: "a\uFFFEb"

                """#)
    }
}
