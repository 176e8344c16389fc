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
            try expectError(try await http.send(.DELETE, "/streams/a"), status: 404, code: "not_found")
        }
    }
}
