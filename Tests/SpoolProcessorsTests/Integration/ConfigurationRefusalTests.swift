import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// A configuration event a built-in processor cannot use is stored (no before-hooks), changes
/// nothing, and gets a `spool/processor-failed` saying why; a usable one gets none.
@Suite(.timeLimit(.minutes(2)))
struct ConfigurationRefusalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var type: String
        var payload: JSONValue
        var processor: String
        var reason: String
        var testDescription: String { "\(type) \(payload.jsonString)" }
    }

    static let refused: [Case] = [
        Case(type: "spool/circuit-breaker-configured", payload: ["maxEvents": 10_000_000, "windowSeconds": 1], processor: "circuit-breaker", reason: "'maxEvents' must be an integer from 1 to 100000"),
        Case(type: "spool/circuit-breaker-configured", payload: ["maxEvents": 10, "windowSeconds": -1], processor: "circuit-breaker", reason: "'windowSeconds'"),
        Case(type: "spool/append-scheduled", payload: ["name": "bad", "cron": "not a cron", "event": ["type": "x/y"]], processor: "scheduler", reason: "cron"),
        Case(type: "spool/append-scheduled", payload: ["name": "bad"], processor: "scheduler", reason: "a schedule needs one of 'at'"),
        Case(type: "spool/schedule-cancelled", payload: [:], processor: "scheduler", reason: "'name'"),
        Case(type: "spool/subscription-configured", payload: ["name": "hook", "url": "ftp://example.com"], processor: "subscriptions", reason: "'url'"),
        Case(type: "spool/subscription-configured", payload: ["url": "http://127.0.0.1:9/"], processor: "subscriptions", reason: "'name'"),
        Case(type: "spool/subscription-configured", payload: ["name": "hook", "url": "http:///x"], processor: "subscriptions", reason: "'url'"),
        Case(type: "spool/subscription-configured", payload: ["name": "hook", "url": "http://127.0.0.1:9/", "types": "order/**"], processor: "subscriptions", reason: "'types'"),
        Case(type: "spool/subscription-configured", payload: ["name": "hook", "url": "http://127.0.0.1:9/", "types": ["bad type"]], processor: "subscriptions", reason: "'types'"),
        Case(type: "spool/subscription-removed", payload: [:], processor: "subscriptions", reason: "'name'"),
        Case(type: "spool/schedule-cancelled", payload: ["name": ""], processor: "scheduler", reason: "'name'"),
    ]

    @Test(arguments: refused)
    func anUnusableConfigurationIsReported(_ item: Case) async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/refused/a")
            let stored = try await client.append(AppendInput(type: item.type, payload: item.payload), to: path)
            #expect(try await eventually { try await client.read(path).contains { $0.type == "spool/processor-failed" } })
            let failure = try #require(try await client.read(path).first { $0.type == "spool/processor-failed" })
            #expect(failure.payload["processor"] == .string(item.processor))
            #expect(failure.payload["sourceOffset"] == .int(Int64(stored.offset)))
            let message = failure.payload["error"]?.stringValue ?? ""
            #expect(message.contains(item.type + " refused") && message.contains(item.reason), "\(message)")
        }
    }

    @Test func usableConfigurationsAreNotReported() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/refused/none")
            let inputs = [
                try AppendInput(type: "spool/circuit-breaker-configured", payload: ["maxEvents": 500, "windowSeconds": 2]),
                try AppendInput(type: "spool/append-scheduled", payload: ["name": "later", "afterSeconds": 3600, "event": ["type": "x/y"]]),
                try AppendInput(type: "spool/schedule-cancelled", payload: ["name": "later"]),
                try AppendInput(type: "spool/subscription-configured", payload: ["name": "hook", "url": "http://127.0.0.1:9/", "types": "order/*"]),
                try AppendInput(type: "spool/subscription-removed", payload: ["name": "hook"]),
                try AppendInput(type: "test/marker"),
            ]
            for input in inputs { try await client.append(input, to: path) }
            // Every processor has handled every event (its checkpoint is at the head).
            #expect(try await eventually {
                try await client.send(.GET, "/processors").arrayValue?.allSatisfy { $0["lag"] == 0 } == true
            })
            #expect(try await client.read(path).map(\.type) == inputs.map(\.type))
            let subscription = try await client.send(.GET, "/state/refused/none?processor=subscriptions&at=4")
            #expect(subscription["state"]?["subscriptions"]?["hook"]?["types"] == ["order/*"], "one pattern as a string")
        }
    }
}
