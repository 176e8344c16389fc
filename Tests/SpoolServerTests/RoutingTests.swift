import NIOHTTP1
import SpoolCore
import Testing

/// `/health` and what happens off the contract's routes.
@Suite(.timeLimit(.minutes(3))) struct RoutingTests {
    @Test func healthAnswersOK() async throws {
        try await withSpoolServer { http in
            let result = try await http.get("/health")
            #expect(result.status == 200)
            #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
            #expect(try result.json() == ["status": "ok"])
        }
    }

    @Test func unknownRouteIsAJSONNotFound() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.get("/no/such/route"), status: 404, code: "not_found")
            try expectError(try await http.send(.DELETE, "/no/such/route"), status: 404, code: "not_found")
        }
    }

    /// A known path asked with a method it does not serve: 405, saying which methods it does.
    @Test func knownRouteWithAnotherMethodIsAJSONMethodNotAllowed() async throws {
        try await withSpoolServer { http in
            let cases: [(HTTPMethod, String, allow: [String])] = [
                (.DELETE, "/streams/a", ["GET", "POST"]), (.PUT, "/streams/a/b", ["GET", "POST"]),
                (.POST, "/streams", ["GET"]), (.DELETE, "/health", ["GET"]), (.GET, "/hooks/github", ["POST", "PUT"]),
                (.PATCH, "/checkpoints/consumer", ["GET", "PUT"]), (.POST, "/feed", ["GET"]),
                (.OPTIONS, "/streams/a", ["GET", "POST"]),
            ]
            for (method, target, allow) in cases {
                let result = try await http.send(method, target)
                let error = try expectError(result, status: 405, code: "method_not_allowed")
                #expect(error["allow"] == .array(allow.map(JSONValue.string)), "\(method) \(target)")
                #expect(result.header("Allow") == allow.joined(separator: ", "), "\(method) \(target)")
            }
            // HEAD gets the same status and `Allow`, without a body, and the connection stays usable.
            for _ in 0..<2 {
                let head = try await http.send(.HEAD, "/health")
                #expect(head.status == 405)
                #expect(head.header("Allow") == "GET")
                #expect(head.body.isEmpty)
                #expect(try await http.get("/health").status == 200)
            }
            // The methods it does serve still reach their routes.
            #expect(try await http.post("/streams/a", json: #"{"type":"t"}"#).status == 201)
            #expect(try await http.get("/streams/a").status == 200)
        }
    }
}
