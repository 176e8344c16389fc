import SpoolCore
import Testing

/// `GET|PUT /checkpoints/{consumer}`: remote consumers' positions, and what `PUT` refuses.
@Suite(.timeLimit(.minutes(3))) struct CheckpointRoutesTests {
    private func put(_ http: SpoolHTTP, _ consumer: String, _ body: String) async throws -> HTTPResult {
        try await http.send(.PUT, "/checkpoints/" + consumer, body: Array(body.utf8), headers: [("Content-Type", "application/json")])
    }

    @Test func aRemoteConsumerSavesAndReadsItsPosition() async throws {
        try await withSpoolServer { http in
            for _ in 0..<3 { try await http.append("/c/a", type: "test/event") }
            #expect(try await http.get("/checkpoints/py-echo").json() == ["consumer": "py-echo", "position": 0])
            let saved = try await put(http, "py-echo", #"{"position":3}"#)
            #expect(saved.status == 200)
            #expect(try await http.get("/checkpoints/py-echo").json() == ["consumer": "py-echo", "position": 3])
        }
    }

    /// Moving a built-in processor's checkpoint, or any past the head, would skip events for good.
    @Test func putRefusesWhatWouldSkipEvents() async throws {
        try await withSpoolServer { http in
            try await http.append("/c/a", type: "test/event")
            let cases: [(consumer: String, body: String, message: String)] = [
                ("processor:scheduler", #"{"position":1}"#, "the server's own processor"),
                ("remote:x", #"{"position":2}"#, "past the store's head position 1"),
                ("remote:x", #"{"position":-1}"#, "non-negative integer"),
                ("remote:x", #"{"position":1,"extra":true}"#, "unknown field 'extra'"),
                ("bad name", #"{"position":1}"#, "consumer names"),
            ]
            for item in cases {
                let error = try expectError(try await put(http, item.consumer, item.body), status: 400, code: "invalid_request")
                #expect(error["message"]?.stringValue?.contains(item.message) == true, "\(item.consumer) \(item.body): \(error)")
            }
            // The scheduler's own checkpoint follows the feed (at most the head), never the refused 1 past it.
            let scheduler = try await http.get("/checkpoints/processor:scheduler").json()
            #expect((scheduler["position"]?.intValue ?? 99) <= 1)
            #expect(try await http.get("/checkpoints/remote:x").json() == ["consumer": "remote:x", "position": 0])
        }
    }

    /// `encodeURIComponent` and Python's `quote` write `:` as `%3A`: the same consumer either way.
    @Test func percentEncodedNamesAreTheSameConsumer() async throws {
        try await withSpoolServer { http in
            for index in 1...2 { try await http.append("/enc/\(index)", type: "t") }
            #expect(try await put(http, "remote%3Aenc", #"{"position":2}"#).json() == ["consumer": "remote:enc", "position": 2])
            #expect(try await http.get("/checkpoints/remote:enc").json() == ["consumer": "remote:enc", "position": 2])
            #expect(try await http.get("/checkpoints/remote%3aenc").json() == ["consumer": "remote:enc", "position": 2])
            // Decoded first, so an encoded name gets no way around the rules.
            try expectError(try await put(http, "processor%3Ascheduler", #"{"position":1}"#), status: 400, code: "invalid_request")
            for bad in ["a%20b", "a%2Fb", "%zz", "a%"] {
                let error = try expectError(try await http.get("/checkpoints/" + bad), status: 400, code: "invalid_request")
                #expect(error["message"]?.stringValue?.contains("consumer name") == true, "\(bad): \(error)")
            }
        }
    }
}
