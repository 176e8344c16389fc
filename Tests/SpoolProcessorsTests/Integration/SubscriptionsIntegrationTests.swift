import Crypto
import Foundation
import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolServer
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct SubscriptionsIntegrationTests {
    @Test func deliversSignedEventsAcrossARestart() async throws {
        // The secret through the server's environment, not setenv: changing the process's environment
        // while other tests start child processes crashed Foundation's Process.run.
        let secret: (inout SpoolServerConfiguration) -> Void = { $0.environment["SPOOL_TEST_WEBHOOK_SECRET"] = "s3cret" }
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/sub/a")
        try await LoopbackHTTPServer.with { receiver in
            try await TestServer.with(configure: secret, dataDirectory: directory) { server in
                let client = SpoolClient(baseURL: server.baseURL)
                try await client.append(
                    AppendInput(
                        type: "spool/subscription-configured",
                        payload: ["name": "audit", "url": .string(receiver.url), "types": ["order/*"], "secretEnv": "SPOOL_TEST_WEBHOOK_SECRET"]),
                    to: path)
                try await client.append(AppendInput(type: "order/placed", payload: ["id": 1]), to: path)
                try await client.append(AppendInput(type: "note/ignored"), to: path)
                #expect(await eventually { receiver.requests.count == 1 })
            }
            try await TestServer.with(configure: secret, dataDirectory: directory) { server in
                let client = SpoolClient(baseURL: server.baseURL)
                try await client.append(AppendInput(type: "order/shipped", payload: ["id": 1]), to: path)
                #expect(await eventually { receiver.requests.count == 2 })
                try await Task.sleep(for: .milliseconds(300))
            }
            let requests = receiver.requests
            #expect(requests.count == 2, "each matching event delivered once, the ignored type never")
            let types = try requests.map { try Event(json: JSONValue.parse($0.body)).type }
            #expect(types == ["order/placed", "order/shipped"])
            for request in requests {
                let mac = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Data("s3cret".utf8)))
                let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
                #expect(request.headers.first(name: "Spool-Signature") == expected)
            }
        }
    }
}
