import NIOCore
import SpoolCore
import Testing

/// `POST /streams/{path}` with malformed input: each is refused with the
/// contract's JSON error, and the stream is left exactly as it was.
@Suite(.timeLimit(.minutes(3))) struct AppendValidationTests {
    struct BadBody: Sendable, CustomTestStringConvertible {
        var name: String
        var body: [UInt8]
        var code: String

        init(_ name: String, _ body: String, code: String) {
            self.init(name, bytes: Array(body.utf8), code: code)
        }

        init(_ name: String, bytes: [UInt8], code: String) {
            self.name = name
            self.body = bytes
            self.code = code
        }

        var testDescription: String { name }
    }

    static let badBodies: [BadBody] = [
        BadBody("malformed JSON", #"{"type":"t","payload":"#, code: "invalid_request"),
        BadBody("trailing garbage", #"{"type":"t"} x"#, code: "invalid_request"),
        BadBody("empty body", "", code: "invalid_request"),
        BadBody(
            "invalid UTF-8", bytes: Array(#"{"type":"t","payload":{"s":""#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#""}}"#.utf8),
            code: "invalid_request"),
        BadBody("a string", #""hello""#, code: "invalid_request"),
        BadBody("a number", "42", code: "invalid_request"),
        BadBody("null", "null", code: "invalid_request"),
        BadBody("an empty batch", "[]", code: "invalid_request"),
        BadBody("an unknown field", #"{"type":"t","payload":{},"color":"red"}"#, code: "invalid_event"),
        BadBody("type as a number", #"{"type":7}"#, code: "invalid_event"),
        BadBody("payload as an array", #"{"type":"t","payload":[1,2]}"#, code: "invalid_event"),
        BadBody("payload as a string", #"{"type":"t","payload":"x"}"#, code: "invalid_event"),
        BadBody("metadata as a string", #"{"type":"t","metadata":"cli"}"#, code: "invalid_event"),
        BadBody("expectedOffset as a string", #"{"type":"t","expectedOffset":"1"}"#, code: "invalid_event"),
        BadBody("expectedOffset negative", #"{"type":"t","expectedOffset":-1}"#, code: "invalid_event"),
        BadBody("idempotencyKey as a number", #"{"type":"t","idempotencyKey":5}"#, code: "invalid_event"),
        BadBody("missing type", #"{"payload":{"a":1}}"#, code: "invalid_event"),
        BadBody("empty type", #"{"type":""}"#, code: "invalid_event"),
        BadBody("type with spaces", #"{"type":"agent input"}"#, code: "invalid_event"),
        BadBody("type of 257 characters", #"{"type":""# + String(repeating: "t", count: 257) + #""}"#, code: "invalid_event"),
        BadBody("a batch element that is not an object", #"[{"type":"a"},3]"#, code: "invalid_event"),
        // One character to Swift (a grapheme cluster), 301 code points: lengths count code points.
        BadBody("type of 301 code points", #"{"type":"e"# + String(repeating: #"\u0301"#, count: 300) + #""}"#, code: "invalid_event"),
        BadBody(
            "idempotencyKey of 301 code points", #"{"type":"t","idempotencyKey":"e"# + String(repeating: #"\u0301"#, count: 300) + #""}"#,
            code: "invalid_event"),
    ]

    @Test(arguments: badBodies)
    func malformedBodyIsRefusedAndStoresNothing(_ bad: BadBody) async throws {
        try await withSpoolServer { http in
            let seed = try await http.append("/v", type: "seed")
            let result = try await http.post("/streams/v", bytes: bad.body, contentType: "application/json")
            try expectError(result, status: 400, code: bad.code)
            #expect(try await http.events(of: "/v") == [seed])
        }
    }

    @Test func malformedBodyNeverCreatesTheStream() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.post("/streams/fresh", json: #"{"type":"a b"}"#), status: 400, code: "invalid_event")
            try expectError(try await http.get("/streams/fresh"), status: 404, code: "stream_not_found")
            #expect(try await http.get("/streams").json() == [])
        }
    }

    @Test func batchWithOneInvalidElementStoresNothing() async throws {
        try await withSpoolServer { http in
            let seed = try await http.append("/v", type: "seed")
            let result = try await http.post(
                "/streams/v", json: #"[{"type":"a"},{"type":"b"},{"type":"c","payload":[]},{"type":"d"}]"#)
            let error = try expectError(result, status: 400, code: "invalid_event")
            #expect(error["index"] == 2)
            #expect(error["message"]?.stringValue?.contains("2") == true)
            #expect(try await http.events(of: "/v") == [seed])
        }
    }

    @Test func batchWithAConflictingElementStoresNothing() async throws {
        try await withSpoolServer { http in
            let seed = try await http.append("/v", type: "seed")
            let result = try await http.post(
                "/streams/v", json: #"[{"type":"a"},{"type":"b"},{"type":"c","expectedOffset":1}]"#)
            try expectError(result, status: 409, code: "offset_conflict")
            #expect(try await http.events(of: "/v") == [seed])
        }
    }

    struct BadPath: Sendable, CustomTestStringConvertible {
        var target: String
        /// What the error message quotes to name the bad segment.
        var named: String
        var testDescription: String { target.count > 60 ? String(target.prefix(40)) + "…" : target }
    }

    static let badPaths: [BadPath] = [
        BadPath(target: "/streams/a/../b", named: "'..'"),
        BadPath(target: "/streams/a/./b", named: "'.'"),
        BadPath(target: "/streams/a/b%20c", named: "'b c'"),
        BadPath(target: "/streams/a/b!c", named: "'b!c'"),
        BadPath(target: "/streams/a/" + String(repeating: "x", count: 129), named: "'" + String(repeating: "x", count: 32)),
        BadPath(target: "/streams/a//b", named: "empty segment"),
        // The router skips the empty segment; the path must not become `/s/a/b`.
        BadPath(target: "//streams/a/b", named: "must begin with /streams/"),
    ]

    @Test(arguments: badPaths)
    func badPathIsRefusedAndStoresNothing(_ bad: BadPath) async throws {
        try await withSpoolServer { http in
            let seed = try await http.append("/a", type: "seed")
            let result = try await http.post(bad.target, json: #"{"type":"t"}"#)
            let error = try expectError(result, status: 400, code: "invalid_path")
            let message = error["message"]?.stringValue ?? ""
            #expect(message.contains(bad.named), "message: \(message)")
            let streams = try await http.get("/streams").json()
            #expect(streams.arrayValue?.map { $0["path"] } == ["/a"])
            #expect(try await http.events(of: "/a") == [seed])
            // Reads name the bad segment the same way.
            try expectError(try await http.get(bad.target), status: 400, code: "invalid_path")
        }
    }

    @Test func longestSegmentIsAccepted() async throws {
        try await withSpoolServer { http in
            let segment = String(repeating: "x", count: 128)
            let result = try await http.post("/streams/a/" + segment, json: #"{"type":"t"}"#)
            #expect(result.status == 201)
            #expect(try result.json()["streamPath"] == .string("/a/" + segment))
        }
    }

    @Test func percentEncodedPathIsDecoded() async throws {
        try await withSpoolServer { http in
            let result = try await http.post("/streams/a/b%2Dc%5Fd", json: #"{"type":"t"}"#)
            #expect(result.status == 201)
            #expect(try result.json()["streamPath"] == .string("/a/b-c_d"))
            #expect(try await http.events(of: "/a/b-c_d")?.count == 1)
        }
    }

    @Test func oversizedEventIsRefused() async throws {
        try await withSpoolServer(configure: { $0.maximumEventBytes = 256 }) { http in
            let seed = try await http.append("/v", type: "seed", payload: #"{"small":true}"#)
            let big = String(repeating: "x", count: 300)
            try expectError(
                try await http.post("/streams/v", json: #"{"type":"t","payload":{"text":"\#(big)"}}"#),
                status: 413, code: "payload_too_large")
            try expectError(
                try await http.post("/streams/v", json: #"{"type":"t","metadata":{"text":"\#(big)"}}"#),
                status: 413, code: "payload_too_large")
            try expectError(
                try await http.post("/streams/v", json: #"[{"type":"ok"},{"type":"t","payload":{"text":"\#(big)"}}]"#),
                status: 413, code: "payload_too_large")
            #expect(try await http.events(of: "/v") == [seed])
            // Many small events in one request are fine: the limit is per event.
            let batch = "[" + Array(repeating: #"{"type":"t","payload":{"i":1}}"#, count: 20).joined(separator: ",") + "]"
            #expect(try await http.post("/streams/v", json: batch).status == 201)
        }
    }

    @Test func oversizedRequestIsRefused() async throws {
        try await withSpoolServer(configure: { $0.maximumRequestBytes = 4096 }) { http in
            let seed = try await http.append("/v", type: "seed")
            let batch = "[" + Array(repeating: #"{"type":"t","payload":{"i":1}}"#, count: 400).joined(separator: ",") + "]"
            #expect(batch.utf8.count > 4096)
            try expectError(try await http.post("/streams/v", json: batch), status: 413, code: "payload_too_large")
            #expect(try await http.events(of: "/v") == [seed])
            // The server keeps serving after refusing a body it did not read.
            #expect(try await http.get("/health").status == 200)
        }
    }

    @Test func oversizedChunkedRequestIsRefused() async throws {
        try await withSpoolServer(configure: { $0.maximumRequestBytes = 4096 }) { http in
            let seed = try await http.append("/v", type: "seed")
            // No Content-Length: the limit must hold while the body streams in.
            let element = ByteBuffer(string: #"{"type":"t","payload":{"i":1}},"#)
            let chunks = [ByteBuffer(string: "[")] + Array(repeating: element, count: 400) + [ByteBuffer(string: #"{"type":"t"}]"#)]
            var request = http.makeRequest(.POST, "/streams/v", headers: [("Content-Type", "application/json")])
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
            request.body = .stream(stream, length: .unknown)
            let response = try await http.client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            let result = HTTPResult(status: Int(response.status.code), headers: response.headers, body: Array(body.readableBytesView))
            try expectError(result, status: 413, code: "payload_too_large")
            #expect(try await http.events(of: "/v") == [seed])
        }
    }

    @Test func batchOfMoreThanTenThousandIsRefused() async throws {
        try await withSpoolServer { http in
            let batch = "[" + Array(repeating: #"{"type":"t"}"#, count: 10_001).joined(separator: ",") + "]"
            try expectError(try await http.post("/streams/v", json: batch), status: 400, code: "invalid_request")
            #expect(try await http.events(of: "/v") == nil)
        }
    }
}
