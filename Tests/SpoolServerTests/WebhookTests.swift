import Foundation
import SpoolCore
import Testing

/// `POST /hooks/{path}`: any body from the outside world becomes a `webhook/received` event.
@Suite(.timeLimit(.minutes(3))) struct WebhookTests {
    @Test func jsonBodyIsStoredAsJSONWithoutCredentials() async throws {
        try await withSpoolServer { http in
            let result = try await http.post(
                "/hooks/github/push?source=gh&attempt=1&label=a&label=b", json: #"{"ref":"refs/heads/main","commits":[{"id":"abc"}]}"#,
                headers: [
                    ("Authorization", "Bearer secret-token"), ("Cookie", "session=s3cr3t"), ("X-Api-Key", "k3y"),
                    ("X-Authorization", "xauth-1"), ("X-Auth-Key", "xauth-2"), ("apikey", "xauth-3"),
                    ("X-Access-Key", "xauth-4"), ("X-Credential", "xauth-5"), ("X-Session-Id", "xauth-6"),
                    ("X-GitHub-Event", "push"), ("X-Hub-Signature-256", "sha256=abc"), ("X-GitHub-Delivery", "d-1"),
                ])
            #expect(result.status == 201)
            let event = try result.json()
            #expect(event["type"] == "webhook/received")
            #expect(event["streamPath"] == "/github/push")
            let payload = try #require(event["payload"])
            #expect(payload["method"] == "POST")
            #expect(payload["query"] == ["source": "gh", "attempt": "1", "label": ["a", "b"]])
            #expect(payload["contentType"] == "application/json")
            #expect(payload["body"] == ["ref": "refs/heads/main", "commits": [["id": "abc"]]])
            #expect(payload["bodyEncoding"] == nil)
            let headers = try #require(payload["headers"]?.objectValue)
            #expect(headers["x-github-event"] == "push")
            #expect(headers["content-type"] == "application/json")
            #expect(headers["x-hub-signature-256"] == "sha256=abc")
            #expect(headers["x-github-delivery"] == "d-1")
            for credential in ["authorization", "cookie", "x-api-key"] {
                #expect(headers[credential] == nil, "\(credential) must not be stored")
            }
            // Whatever the headers are called, the secrets are nowhere in what is stored.
            let stored = try await http.get("/streams/github/push")
            for secret in ["secret-token", "s3cr3t", "k3y", "xauth"] {
                #expect(!stored.text.contains(secret), "\(secret) must not be stored")
            }
            #expect(try stored.json() == [event])
        }
    }

    @Test func formBodyIsStoredAsText() async throws {
        try await withSpoolServer { http in
            let form = "payload=%7B%22a%22%3A1%7D&team=T1"
            let result = try await http.post(
                "/hooks/slack/incoming", bytes: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
            #expect(result.status == 201)
            let payload = try #require(try result.json()["payload"])
            #expect(payload["contentType"] == "application/x-www-form-urlencoded")
            #expect(payload["body"] == .string(form))
            #expect(payload["bodyEncoding"] == nil)
            #expect(payload["query"] == [:])
        }
    }

    @Test func binaryBodyIsStoredAsBase64() async throws {
        try await withSpoolServer { http in
            let bytes: [UInt8] = [0x00, 0xFF, 0x10, 0x80, 0xC3, 0x28, 0x7F]
            let result = try await http.post("/hooks/bin", bytes: bytes, contentType: "application/octet-stream")
            #expect(result.status == 201)
            let payload = try #require(try result.json()["payload"])
            #expect(payload["contentType"] == "application/octet-stream")
            #expect(payload["bodyEncoding"] == "base64")
            let encoded = try #require(payload["body"]?.stringValue)
            #expect(Data(base64Encoded: encoded).map(Array.init) == bytes)
        }
    }

    @Test func jsonContentTypeWithInvalidJSONIsKeptAsText() async throws {
        try await withSpoolServer { http in
            let result = try await http.post("/hooks/broken", json: "{not json")
            #expect(result.status == 201)
            #expect(try result.json()["payload"]?["body"] == "{not json")
            // An integer beyond 64 bits is no JSON Spool keeps as JSON: the text keeps every digit.
            let big = #"{"id":12345678901234567890}"#
            let kept = try await http.post("/hooks/big", json: big)
            #expect(kept.status == 201)
            #expect(try kept.json()["payload"]?["body"] == .string(big))
            // The same in an append is refused, not rounded.
            let refused = try await http.post("/streams/big", json: #"{"type":"t","payload":\#(big)}"#)
            let error = try expectError(refused, status: 400, code: "invalid_request")
            #expect(error["message"]?.stringValue?.contains("does not fit in 64 bits") == true, "\(error)")
        }
    }

    @Test func repeatedDeliveryIsStoredOnce() async throws {
        try await withSpoolServer { http in
            let headers = [("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"), ("X-GitHub-Event", "push")]
            let first = try await http.post("/hooks/gh", json: #"{"n":1}"#, headers: headers)
            #expect(first.status == 201)
            let again = try await http.post("/hooks/gh", json: #"{"n":1}"#, headers: headers)
            #expect(again.status == 200, "retry: \(again.text)")
            #expect(try again.json() == first.json())
            #expect(try first.json()["idempotencyKey"] == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            #expect(try await http.events(of: "/gh")?.count == 1)
            // A retry through a proxy that changed a header is still the same delivery: 200, nothing stored.
            let proxied = try await http.post(
                "/hooks/gh", json: #"{"n":1}"#, headers: headers + [("X-Forwarded-For", "10.1.2.3")])
            #expect(proxied.status == 200, "proxied retry: \(proxied.text)")
            #expect(try await http.events(of: "/gh")?.count == 1)
            // Another delivery is another event.
            let other = try await http.post("/hooks/gh", json: #"{"n":1}"#, headers: [("X-GitHub-Delivery", "other")])
            #expect(other.status == 201)
            #expect(try await http.events(of: "/gh")?.count == 2)
        }
    }

    @Test func badHookPathIsRefused() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.post("/hooks/a/../b", json: "{}"), status: 400, code: "invalid_path")
            #expect(try await http.get("/streams").json() == [])
        }
    }

    @Test func oversizedHookIsRefused() async throws {
        try await withSpoolServer(configure: { $0.maximumEventBytes = 512 }) { http in
            let body = Array(repeating: UInt8(ascii: "x"), count: 2048)
            try expectError(
                try await http.post("/hooks/big", bytes: body, contentType: "text/plain"), status: 413, code: "payload_too_large")
            #expect(try await http.get("/streams").json() == [])
        }
    }
}
