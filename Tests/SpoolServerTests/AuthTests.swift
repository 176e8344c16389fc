import SpoolCore
import Testing

/// With an auth token configured, every route but `/health` and `/hooks` needs `Authorization: Bearer`.
@Suite(.timeLimit(.minutes(3))) struct AuthTests {
    static let token = "t0ken-for-tests"

    @Test func streamsNeedTheToken() async throws {
        try await withSpoolServer(configure: { $0.authToken = Self.token }) { http in
            let anonymous = try await http.post("/streams/s", json: #"{"type":"t"}"#)
            try expectError(anonymous, status: 401, code: "unauthorized")
            #expect(anonymous.header("WWW-Authenticate") == "Bearer")
            try expectError(try await http.get("/streams/s"), status: 401, code: "unauthorized")
            try expectError(try await http.get("/streams"), status: 401, code: "unauthorized")
            try expectError(try await http.get("/streams/s?live=true"), status: 401, code: "unauthorized")

            let wrong = http.authorized("not-the-token")
            try expectError(try await wrong.get("/streams"), status: 401, code: "unauthorized")
            try expectError(
                try await http.get("/streams", headers: [("Authorization", "Basic " + Self.token)]), status: 401,
                code: "unauthorized")
            try expectError(
                try await http.get("/streams", headers: [("Authorization", "Bearer " + Self.token + "x")]), status: 401,
                code: "unauthorized")

            // The scheme's name is case-insensitive; the token is not.
            #expect(try await http.get("/streams", headers: [("Authorization", "bearer " + Self.token)]).status == 200)
            #expect(try await http.get("/streams", headers: [("Authorization", "BEARER " + Self.token)]).status == 200)
            try expectError(
                try await http.get("/streams", headers: [("Authorization", "Bearer " + Self.token.uppercased())]), status: 401,
                code: "unauthorized")

            let authorized = http.authorized(Self.token)
            #expect(try await authorized.post("/streams/s", json: #"{"type":"t"}"#).status == 201)
            let read = try await authorized.get("/streams/s")
            #expect(read.status == 200)
            #expect(try read.json().arrayValue?.count == 1)
            #expect(try await authorized.get("/streams").json().arrayValue?.count == 1)
        }
    }

    @Test func healthAndHooksNeedNoToken() async throws {
        try await withSpoolServer(configure: { $0.authToken = Self.token }) { http in
            #expect(try await http.get("/health").status == 200)
            #expect(try await http.get("/health/").status == 200)
            let hook = try await http.post("/hooks/in", json: #"{"a":1}"#)
            #expect(hook.status == 201)
            // The hook's event is there, for those holding the token.
            #expect(try await http.authorized(Self.token).get("/streams/in").json().arrayValue?.count == 1)
        }
    }

    @Test func unknownRoutesAreNotRevealedWithoutTheToken() async throws {
        try await withSpoolServer(configure: { $0.authToken = Self.token }) { http in
            try expectError(try await http.get("/no/such/route"), status: 401, code: "unauthorized")
        }
    }

    @Test func hookAndHealthPrefixesDoNotOpenOtherRoutes() async throws {
        try await withSpoolServer(configure: { $0.authToken = Self.token }) { http in
            #expect(try await http.authorized(Self.token).post("/streams/s", json: #"{"type":"t"}"#).status == 201)
            for target in ["/hooks/../streams/s", "/hooks/%2E%2E/streams/s", "/health/../streams/s", "/hooks/x/../../streams/s"] {
                let read = try await http.get(target)
                #expect(read.status != 200 && !read.text.contains("\"offset\""), "GET \(target): \(read.status) \(read.text)")
                let append = try await http.post(target, json: #"{"type":"t"}"#)
                #expect(append.status >= 400, "POST \(target): \(append.status)")
            }
            #expect(try await http.authorized(Self.token).get("/streams/s").json().arrayValue?.count == 1)
        }
    }
}
