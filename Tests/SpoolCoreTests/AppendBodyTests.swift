import SpoolCore
import Testing

/// The one-pass reading of append bodies must give exactly what parsing the JSON and
/// `AppendInput(json:)` give, and leave every unusual body to them.
struct AppendBodyTests {
    private func fast(_ body: String) -> (inputs: [AppendInput], isBatch: Bool)? {
        var body = body
        return body.withUTF8 { AppendInput.inputs(fromBody: $0) }
    }

    private func slow(_ body: String) throws -> [AppendInput] {
        switch try JSONValue.parse(body) {
        case .array(let items): return try items.map { try AppendInput(json: $0) }
        case let object: return [try AppendInput(json: object)]
        }
    }

    @Test(arguments: [
        #"{"type":"t","payload":{"a":1}}"#,
        "{\n  \"type\" : \"order/placed\",\n  \"payload\" : { \"items\" : [ 1 , 2 , {\"b\" : null} ] , \"ok\" : true }\n}\n",
        #"{"payload":{"z":1,"a":2,"m":{"y":[],"x":{}}},"type":"t"}"#,
        #"{"type":"t","payload":{"text":"é🧵 raw","esc":"\u00e9\n\"\\\/\t\u0001","solidus":"a\/b"}}"#,
        #"{"type":"t","payload":{"n":[0,-0,1.0,1.50,1e2,-12345678901234,9223372036854775807,12345678901234567890.0,1.7976931348623157e308,2.5E-3]}}"#,
        #"{"type":"t","payload":{},"metadata":{"trace":"x"},"idempotencyKey":"k-1","expectedOffset":0}"#,
        #"{"type":"t","payload":null,"metadata":null,"idempotencyKey":null,"expectedOffset":null}"#,
        #"{"type":"t"}"#,
        #"{"type":"t\u00e9","payload":{"\u0041":"B"}}"#,
        #"[{"type":"a","payload":{"n":1}},{"type":"b","payload":{"n":2},"expectedOffset":1}, {"type":"c"}]"#,
    ])
    func usualBodiesReadInOnePassAsTheParserReadsThem(_ body: String) throws {
        let read = try #require(fast(body), "a body of the usual shape is read in one pass")
        #expect(read.inputs == (try slow(body)))
        #expect(read.inputs.map(\.payloadJSON) == (try slow(body)).map(\.payloadJSON))
        #expect(read.isBatch == body.hasPrefix("["))
    }

    @Test(arguments: [
        #"{"type":"t","payload":{"a":1,"a":2}}"#,  // a repeated key keeps only the last value
        #"{"type":"t","payload":{"a":{"b":1,"b":2}}}"#,
        #"{"type":"t","type":"u"}"#,
        #"{"type":"t","extra":1}"#,
        #"{"type":"t","payload":[1]}"#,
        #"{"type":"t","payload":"text"}"#,
        #"{"payload":{}}"#,
        #"{"type":1}"#,
        #"{"type":"has space"}"#,
        #"{"type":"t","idempotencyKey":""}"#,
        #"{"type":"t","expectedOffset":-1}"#,
        #"{"type":"t","expectedOffset":1.5}"#,
        #"[]"#,
        #"[{"type":"t"},]"#,
        #"{"type":"t"} x"#,
        #"{"type":"t","payload":{"a":"\x"}}"#,
        #"{"type":"t","payload":{"a":tru}}"#,
        #""text""#,
        "",
    ])
    func unusualBodiesAreLeftToTheParser(_ body: String) {
        #expect(fast(body) == nil)
    }

    @Test func payloadsNestAsDeepAsTheParserAllows() throws {
        func body(depth: Int, batch: Bool) -> String {
            let payload = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            let event = #"{"type":"t","payload":"# + payload + "}"
            return batch ? "[" + event + "]" : event
        }
        for batch in [false, true] {
            for depth in (JSONValue.maximumDepth - 3)...(JSONValue.maximumDepth) {
                let text = body(depth: depth, batch: batch)
                let parses = (try? slow(text)) != nil
                #expect((fast(text) != nil) == parses, "depth \(depth), batch \(batch)")
            }
        }
    }
}
