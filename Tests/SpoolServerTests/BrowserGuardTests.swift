import SpoolCore
import SpoolServer
import SpoolTesting
import Testing

/// Web pages against a real server: another origin may not write, a listed one may (CORS),
/// and a loopback server without a token answers only to names that cannot be rebound.
@Suite(.timeLimit(.minutes(3))) struct BrowserGuardTests {
    static let event = #"{"type":"note/added","payload":{"text":"hi"}}"#
    static let app = "http://localhost:3000"

    @Test func aPageOfAnotherOriginCannotAppendAndNothingIsStored() async throws {
        try await withSpoolServer { http in
            // A "simple" request: a page sends it without asking, and it needs no answer to do harm.
            let forged = try await http.post(
                "/streams/victim", json: Self.event,
                headers: [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site"), ("Content-Type", "text/plain")])
            try expectError(forged, status: 403, code: "forbidden")
            #expect(forged.header("Access-Control-Allow-Origin") == nil)
            let batch = try await http.post("/streams/victim", json: "[\(Self.event)]", headers: [("Origin", "https://evil.example")])
            try expectError(batch, status: 403, code: "forbidden")
            #expect(try await http.events(of: "/victim") == nil, "nothing was stored")

            // Its reads are served (the browser keeps the answer from the page), and so is the same origin.
            #expect(try await http.get("/streams", headers: [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site")]).status == 200)
            let console = try await http.post("/streams/mine", json: Self.event, headers: [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "same-origin")])
            #expect(console.status == 201)
            #expect(try await http.post("/streams/mine", json: Self.event, headers: [("Origin", http.server.baseURL)]).status == 201)
            let checkpoint = try await http.send(
                .PUT, "/checkpoints/remote", body: Array(#"{"position":1}"#.utf8), headers: [("Sec-Fetch-Site", "same-site")])
            try expectError(checkpoint, status: 403, code: "forbidden")
            #expect(try await http.get("/checkpoints/remote").json() == ["consumer": "remote", "position": 0], "not moved")
            // Webhooks come from anywhere.
            let hook = try await http.post("/hooks/inbox", json: "{}", headers: [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site")])
            #expect(hook.status == 201)
        }
    }

    @Test func aListedOriginMayWriteAndReadTheAnswers() async throws {
        try await withSpoolServer(configure: { $0.allowedOrigins = [Self.app] }) { http in
            let origin = [("Origin", Self.app), ("Sec-Fetch-Site", "cross-site")]
            let preflight = try await http.send(
                .OPTIONS, "/streams/app",
                headers: origin + [("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type, authorization")])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == Self.app)
            #expect(preflight.header("Access-Control-Allow-Methods") == "GET, HEAD, POST, PUT")
            #expect(preflight.header("Access-Control-Allow-Headers") == "content-type, authorization")
            #expect(preflight.header("Access-Control-Max-Age") == "600")

            let appended = try await http.post("/streams/app", json: Self.event, headers: origin)
            #expect(appended.status == 201)
            #expect(appended.header("Access-Control-Allow-Origin") == Self.app)
            #expect(appended.header("Access-Control-Expose-Headers") == "Spool-Head-Offset, Spool-Head-Position")
            #expect(appended.header("Vary") == "Origin")

            let malformed = try await http.post("/streams/app", json: "{", headers: origin)
            try expectError(malformed, status: 400, code: "invalid_request")
            #expect(malformed.header("Access-Control-Allow-Origin") == Self.app, "a page can read why it failed")

            try await withTimeLimit(.seconds(30)) {
                var live = try await http.openStream("/streams/app?live=true", headers: origin)
                #expect(live.status == 200)
                #expect(live.headers.first(name: "Access-Control-Allow-Origin") == Self.app)
                #expect(try await live.nextEvent().event["payload"]?["text"]?.stringValue == "hi")
            }

            // The routes open to everyone let it read their answers too.
            let hook = try await http.post("/hooks/app-inbox", json: "{}", headers: origin)
            #expect(hook.status == 201 && hook.header("Access-Control-Allow-Origin") == Self.app)

            // Other origins are still refused, and an OPTIONS that is not a preflight is routed as before.
            try expectError(
                try await http.post("/streams/app", json: Self.event, headers: [("Origin", "http://localhost:3001")]), status: 403, code: "forbidden")
            try expectError(try await http.send(.OPTIONS, "/streams/app", headers: origin), status: 405, code: "method_not_allowed")
        }
    }

    @Test func aLoopbackServerWithoutATokenAnswersOnlyToNamesThatCannotBeRebound() async throws {
        try await withSpoolServer(configure: { $0.allowedHosts = ["spool.internal"] }) { http in
            try await http.append("/a", type: "t")
            let rebound = try await http.get("/streams/a", headers: [("Host", "attacker.example:4437")])
            try expectError(rebound, status: 403, code: "forbidden")
            #expect(rebound.text.contains("'attacker.example'") && !rebound.text.contains("payload"))
            try expectError(try await http.post("/streams/a", json: Self.event, headers: [("Host", "attacker.example")]), status: 403, code: "forbidden")
            for name in ["localhost:1", "spool.internal", "[::1]:4437"] {
                #expect(try await http.get("/streams/a", headers: [("Host", name)]).status == 200, "\(name)")
            }
            #expect(try await http.get("/health", headers: [("Host", "attacker.example")]).status == 200)
            #expect(try await http.post("/hooks/inbox", json: "{}", headers: [("Host", "tunnel.example")]).status == 201)
            #expect(try await http.events(of: "/a")?.count == 1, "the refused append stored nothing")
        }
    }

    /// RFC 9112 §3.2: with two, a proxy may have judged one and the server the other.
    @Test func twoHostHeadersAreABadRequest() async throws {
        try await withSpoolServer { http in
            for request in ["GET /streams HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n", "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", "GET /health HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"] {
                let answer = try await offload { try RawHTTP.exchange(port: http.server.port, Array(request.utf8)) }
                let (head, body) = try #require(RawHTTP.split(answer), "\(answer.prefix(200))")
                #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")
                #expect(body.contains(#""code":"invalid_request""#) && body.contains("only one Host header"), "\(body)")
            }
        }
    }

    @Test func aServerWithATokenAnswersToAnyName() async throws {
        try await withSpoolServer(configure: { $0.authToken = "browser-token" }) { http in
            let authorized = http.authorized("browser-token")
            try await authorized.append("/a", type: "t")
            #expect(try await authorized.get("/streams/a", headers: [("Host", "spool.example.com")]).status == 200)
        }
    }

    @Test func badSettingsDoNotStart() async throws {
        for configure: @Sendable (inout SpoolServerConfiguration) -> Void in [
            { $0.allowedOrigins = ["app.example.com"] }, { $0.allowedOrigins = ["https://app.example.com/path"] },
            { $0.allowedHosts = ["spool.internal:8080"] },
        ] {
            await #expect(throws: ConfigurationError.self) { try await withSpoolServer(configure: configure) { _ in } }
        }
    }
}
