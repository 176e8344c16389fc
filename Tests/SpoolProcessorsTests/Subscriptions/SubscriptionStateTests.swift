import Foundation
import SpoolCore
import SpoolProcessors
import Testing

/// Subscription payloads, type filters and the fold of configure/remove events.
@Suite(.timeLimit(.minutes(3))) struct SubscriptionStateTests {
    func state(_ events: [Event]) -> SubscriptionState {
        fold(Subscriptions(), events)
    }

    func configured(_ payload: JSONValue, offset: Int = 1) -> Event {
        TestEvents.event(SubscriptionState.configuredType, payload, offset: offset)
    }

    @Test func parsesAConfiguration() throws {
        let subscription = try Subscription(payload: [
            "name": "audit", "url": "https://example.com/hook", "types": ["agent/*", "demo/ping"], "secretEnv": "AUDIT_SECRET",
        ])
        #expect(subscription == Subscription(
            name: "audit", url: "https://example.com/hook", types: ["agent/*", "demo/ping"], secretEnv: "AUDIT_SECRET"))
        #expect(try Subscription(payload: ["name": "all", "url": "http://127.0.0.1:1/x"]).types == nil)
        #expect(try Subscription(payload: ["name": "one", "url": "http://127.0.0.1:1/x", "types": "agent/*"]).types == ["agent/*"])
    }

    static let badPayloads: [BadPayload] = [
        BadPayload(["url": "https://example.com"], "'name'"),
        BadPayload(["name": "a"], "'url'"),
        BadPayload(["name": "a", "url": "ftp://example.com"], "'url' must be an http:// or https:// URL"),
        BadPayload(["name": "a", "url": "https://example.com", "types": []], "or a non-empty array of them"),
        BadPayload(["name": "a", "url": "https://example.com", "types": ""], "'types'"),
        BadPayload(["name": "a", "url": "https://example.com", "types": 7], "'types'"),
        BadPayload(["name": "a", "url": "https://example.com", "types": ["ok", 3]], "'types'"),
        BadPayload(["name": "a", "url": "https://example.com", "secretEnv": ""], "'secretEnv'"),
    ]

    @Test(arguments: badPayloads)
    func rejectsBadConfigurations(_ bad: BadPayload) {
        #expect {
            try Subscription(payload: bad.payload)
        } throws: { error in
            (error as? SpoolError)?.message.contains(bad.message) ?? false
        }
    }

    @Test func filtersByExactTypesAndPrefixes() {
        let subscription = Subscription(name: "s", url: "http://x", types: ["agent/*", "demo/ping"])
        #expect(subscription.matches(type: "agent/started"))
        #expect(subscription.matches(type: "agent/tool/called"))
        #expect(subscription.matches(type: "demo/ping"))
        #expect(!subscription.matches(type: "demo/pong"))
        #expect(!subscription.matches(type: "agent"))
        #expect(!subscription.matches(type: "agents/started"))
        #expect(Subscription(name: "s", url: "http://x").matches(type: "anything"))
        #expect(Subscription(name: "s", url: "http://x", types: ["*"]).matches(type: "anything"))
    }

    @Test func foldsConfigurationsAndRemovals() {
        let audit = configured(["name": "audit", "url": "http://a.example/hook", "types": ["agent/*"]], offset: 1)
        let all = configured(["name": "all", "url": "http://b.example/hook"], offset: 2)
        let moved = configured(["name": "audit", "url": "http://c.example/hook"], offset: 3)
        let invalid = configured(["name": "broken", "url": "nope"], offset: 4)
        let removed = TestEvents.event(SubscriptionState.removedType, ["name": "all"], offset: 5)

        #expect(state([audit, all]).subscriptions.keys.sorted() == ["all", "audit"])
        #expect(state([audit, all, moved]).subscriptions["audit"]?.url == "http://c.example/hook")
        #expect(state([audit, all, moved]).subscriptions["audit"]?.types == nil)
        #expect(state([audit, all, invalid]).subscriptions.keys.sorted() == ["all", "audit"])
        #expect(state([audit, all, removed]).subscriptions.keys.sorted() == ["audit"])
    }

    @Test func choosesMatchingSubscriptionsButNeverForSubscriptionEvents() {
        let current = state([
            configured(["name": "b-agents", "url": "http://a.example/hook", "types": ["agent/*"]], offset: 1),
            configured(["name": "a-all", "url": "http://b.example/hook"], offset: 2),
        ])
        #expect(current.subscriptions(for: TestEvents.event("agent/started")).map(\.name) == ["a-all", "b-agents"])
        #expect(current.subscriptions(for: TestEvents.event("demo/ping")).map(\.name) == ["a-all"])
        for type in [SubscriptionState.configuredType, SubscriptionState.removedType, SubscriptionState.failedType] {
            #expect(current.subscriptions(for: TestEvents.event(type)).isEmpty)
        }
    }

    @Test func stateRoundTripsThroughJSON() throws {
        let current = state([
            configured(["name": "audit", "url": "http://a.example/hook", "types": ["agent/*"], "secretEnv": "S"]),
        ])
        let data = try JSONEncoder().encode(current)
        #expect(try JSONDecoder().decode(SubscriptionState.self, from: data) == current)
    }
}
