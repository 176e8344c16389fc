import Logging
import NIOHTTP1
import SpoolCore
import SpoolStore
import SpoolTesting
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
                (.DELETE, "/streams/a", ["GET", "HEAD", "POST"]), (.PUT, "/streams/a/b", ["GET", "HEAD", "POST"]),
                (.POST, "/streams", ["GET", "HEAD"]), (.DELETE, "/health", ["GET", "HEAD"]), (.GET, "/hooks/github", ["POST", "PUT"]),
                (.PATCH, "/checkpoints/consumer", ["GET", "HEAD", "PUT"]), (.POST, "/feed", ["GET", "HEAD"]),
                (.OPTIONS, "/streams/a", ["GET", "HEAD", "POST"]),
            ]
            for (method, target, allow) in cases {
                let result = try await http.send(method, target)
                let error = try expectError(result, status: 405, code: "method_not_allowed")
                #expect(error["allow"] == .array(allow.map(JSONValue.string)), "\(method) \(target)")
                #expect(result.header("Allow") == allow.joined(separator: ", "), "\(method) \(target)")
            }
            // HEAD of a path without GET gets the same status and `Allow`, without a body, and the
            // connection stays usable.
            for _ in 0..<2 {
                let head = try await http.send(.HEAD, "/hooks/github")
                #expect(head.status == 405)
                #expect(head.header("Allow") == "POST, PUT")
                #expect(head.body.isEmpty)
                #expect(try await http.get("/health").status == 200)
            }
            // The methods it does serve still reach their routes.
            #expect(try await http.post("/streams/a", json: #"{"type":"t"}"#).status == 201)
            #expect(try await http.get("/streams/a").status == 200)
        }
    }

    /// A method served on no path (RFC 9110 §15.6.2): 501, on known and unknown paths alike.
    @Test func methodServedNowhereIsAJSONNotImplemented() async throws {
        try await withSpoolServer { http in
            for method in ["TRACE", "PROPFIND", "MKCOL"] {
                for target in ["/health", "/streams/a", "/no/such/route"] {
                    let result = try await http.send(.RAW(value: method), target)
                    let error = try expectError(result, status: 501, code: "not_implemented")
                    #expect(error["message"]?.stringValue?.hasPrefix("\(method) is not a method this server implements") == true)
                }
            }
            #expect(try await http.get("/health").status == 200)
        }
    }

    /// HEAD wherever GET is (RFC 9110 §9.3.2): the status and headers a GET would get, no body.
    @Test func headAnswersLikeGetWithoutTheBody() async throws {
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: Logger(label: "spool-test"))
        try await withSpoolServer(store: store) { http in
            for _ in 0..<3 { try await http.append("/h/x", type: "t") }
            for _ in 0..<2 {  // the connection stays usable after each
                let head = try await http.send(.HEAD, "/streams/h/x")
                #expect(head.status == 200)
                #expect(head.header("Spool-Head-Offset") == "3")
                #expect(head.header("Content-Type")?.hasPrefix("application/json") == true)
                #expect(head.body.isEmpty)
                #expect(head.header("Content-Length") == nil, "a streamed body's length is not known, so none is claimed")
                #expect(try await http.get("/streams/h/x").json().arrayValue?.count == 3)
            }
            let health = try await http.send(.HEAD, "/health")
            #expect(health.header("Content-Length") == String(try await http.get("/health").body.count), "a known length is the GET's")
            let missing = try await http.send(.HEAD, "/streams/h/never")
            #expect(missing.status == 404 && missing.body.isEmpty)
            for target in ["/health", "/streams?prefix=/h", "/feed?prefix=/h", "/processors", "/metrics", "/checkpoints/c"] {
                let head = try await http.send(.HEAD, target)
                #expect(head.status == 200 && head.body.isEmpty, "\(target): \(head.status)")
            }
            // A live read's HEAD answers at once and leaves no reader behind.
            let live = try await withTimeLimit(.seconds(20)) { try await http.send(.HEAD, "/streams/h/x?live=true") }
            #expect(live.status == 200 && live.body.isEmpty)
            #expect(live.header("Content-Type")?.hasPrefix("text/event-stream") == true)
            let path = try StreamPath("/h/x")
            try await eventually { store.live.subscriberCount(of: path) == 0 }
            let metrics = try await http.get("/metrics").text
            #expect(metrics.contains(#"spool_http_requests_total{method="HEAD",route="/streams/**",status="200"} 3"#), "\(metrics)")
        }
    }
}
