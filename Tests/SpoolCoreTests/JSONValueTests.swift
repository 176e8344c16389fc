import Foundation
import SpoolCore
import Testing

/// Equality, accessors and the ordered object.
@Suite(.timeLimit(.minutes(3))) struct JSONValueTests {
    @Test func objectEqualityIgnoresKeyOrder() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":2}"#) == JSONValue.parse(#"{"b":2,"a":1}"#))
        #expect(try JSONValue.parse(#"{"o":{"x":[1,{"p":1,"q":2}],"y":2}}"#) == JSONValue.parse(#"{"o":{"y":2,"x":[1,{"q":2,"p":1}]}}"#))
    }

    @Test func objectsWithDifferentMembersDiffer() {
        let base: JSONValue = ["a": 1, "b": 2]
        #expect(base != ["a": 1])
        #expect(base != ["a": 1, "b": 2, "c": 3])
        #expect(base != ["a": 1, "c": 2])
        #expect(base != ["a": 1, "b": "2"])
        #expect(base != ["a": 1, "b": nil])
    }

    @Test func arrayEqualityRespectsOrder() {
        #expect(JSONValue.array([1, 2]) != [2, 1])
        #expect(JSONValue.array([1, 2]) == [1, 2])
    }

    @Test func valuesOfDifferentTypesDiffer() {
        let values: [JSONValue] = [nil, false, 0, "0", [], [:]]
        for (i, a) in values.enumerated() {
            for (j, b) in values.enumerated() { #expect((a == b) == (i == j), "\(a) vs \(b)") }
        }
    }

    @Test func numbersCompareByValue() {
        #expect(JSONValue.int(1) == .double(1.0))
        #expect(JSONValue.int(1) != .double(1.5))
        #expect(JSONValue.double(0.5) == .double(0.5))
    }

    /// Through `Double`, 2^53 + 1 rounds to 2^53: an integer and a double are equal only
    /// when the double is exactly that integer.
    @Test func integersAndDoublesCompareExactly() {
        #expect(JSONValue.int(9_007_199_254_740_993) != .double(9_007_199_254_740_992))
        #expect(JSONValue.double(9_007_199_254_740_992) != .int(9_007_199_254_740_993))
        #expect(JSONValue.int(9_007_199_254_740_992) == .double(9_007_199_254_740_992))
        #expect(JSONValue.int(.max) != .double(9_223_372_036_854_775_808))
        #expect(JSONValue.int(-3) == .double(-3))
        #expect(JSONValue.int(0) == .double(-0.0))
    }

    @Test func accessorsAnswerOnlyForTheirKind() {
        let object: JSONValue = ["s": "text", "i": 3, "d": 2.0, "h": 2.5, "b": true, "a": [1]]
        #expect(object["s"]?.stringValue == "text")
        #expect(object["i"]?.intValue == 3)
        #expect(object["d"]?.intValue == 2)
        #expect(object["h"]?.intValue == nil)
        #expect(object["h"]?.doubleValue == 2.5)
        #expect(object["i"]?.doubleValue == 3.0)
        #expect(object["b"]?.boolValue == true)
        #expect(object["a"]?.arrayValue == [1])
        #expect(object["missing"] == nil)
        #expect(object["s"]?.intValue == nil)
        #expect(object["i"]?.stringValue == nil)
        #expect(JSONValue.array([1])["s"] == nil)
    }

    @Test func typeNamesForErrorMessages() {
        let names = ([nil, true, 1, 1.5, "s", [], [:]] as [JSONValue]).map(\.typeName)
        #expect(names == ["null", "boolean", "number", "number", "string", "array", "object"])
    }

    @Test func objectSubscriptReplacesInPlaceAndRemovesWithNil() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "two"
        #expect(object.keys == ["a", "b", "c"])
        #expect(object["b"] == "two")
        object["a"] = nil
        object["d"] = 4
        #expect(object.keys == ["b", "c", "d"])
        #expect(object.count == 3)
        object["missing"] = nil
        #expect(object.count == 3)
        #expect(!object.isEmpty && JSONObject().isEmpty)
    }

    @Test func codableRoundTripThroughFoundation() throws {
        let value: JSONValue = ["s": "x", "i": 7, "d": 1.5, "b": false, "n": nil, "a": [1, "two", [:]], "o": ["k": []]]
        let data = try JSONEncoder().encode(value)
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == value)
        guard case .int = decoded["i"] else {
            Issue.record("an integer came back as \(String(describing: decoded["i"]))")
            return
        }
    }
}
