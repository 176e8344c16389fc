import SpoolCore
import SpoolProcessors
import Testing

/// Webhook deliveries to a real HTTP server on loopback: body, headers,
/// signature, retries, failure reports and type filters.
@Suite(.timeLimit(.minutes(3))) struct SubscriptionsDeliveryTests {
    let fastRetries = RetryPolicy(attempts: 3, initialDelay: .milliseconds(5), maximumDelay: .milliseconds(20))

    func processor(
        retry: RetryPolicy? = nil, attemptTimeout: Duration = .seconds(5), secrets: [String: String] = [:]
    ) -> Subscriptions {
        Subscriptions(retry: retry ?? fastRetries, attemptTimeout: attemptTimeout, environment: { secrets[$0] })
    }

    func configured(_ payload: JSONValue, offset: Int = 1) -> Event {
        TestEvents.event(SubscriptionState.configuredType, payload, offset: offset)
    }

    /// Folds `configuration`, then handles `event` as the runtime would.
    @discardableResult
    func deliver(
        _ event: Event, after configuration: [Event], with subscriptions: Subscriptions,
        appender: RecordingAppender = RecordingAppender()
    ) async throws -> RecordingAppender {
        let state = fold(subscriptions, configuration + [event])
        try await subscriptions.afterAppend(
            event: event, state: state, context: appender.context(processor: subscriptions.name, source: event))
        return appender
    }

    @Test func postsTheExactBodyWithHeadersAndAVerifiableSignature() async throws {
        try await LoopbackHTTPServer.with { server in
            let configuration = [configured(["name": "audit", "url": .string(server.url), "secretEnv": "AUDIT_SECRET"])]
            let event = TestEvents.event(
                "demo/ping", ["text": "héllo", "n": 1], metadata: ["trace": "t1"], offset: 2)
            let appender = try await deliver(
                event, after: configuration, with: processor(secrets: ["AUDIT_SECRET": "s3cret"]))

            #expect(appender.inputs.isEmpty)
            let request = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(request.method == .POST)
            #expect(request.uri == "/hook")
            #expect(request.body == Array(event.jsonString.utf8))
            #expect(request.headers["Content-Type"] == ["application/json"])
            #expect(request.headers["Spool-Event-Id"] == ["/tests/stream@2"])
            #expect(request.headers["Spool-Subscription"] == ["audit"])
            let signature = try #require(request.headers["Spool-Signature"].first)
            #expect(signature.hasPrefix("sha256="))
            #expect(WebhookSigner.isValid(signature: signature, body: request.body, secret: "s3cret"))
        }
    }

    @Test func sendsNoSignatureWithoutASecret() async throws {
        try await LoopbackHTTPServer.with { server in
            // secretEnv names a variable that is not set: deliver unsigned.
            let configuration = [
                configured(["name": "plain", "url": .string(server.url)], offset: 1),
                configured(["name": "unset", "url": .string(server.url), "secretEnv": "MISSING"], offset: 2),
            ]
            try await deliver(TestEvents.event("demo/ping", offset: 3), after: configuration, with: processor())
            #expect(server.requests.count == 2)
            #expect(server.requests.allSatisfy { $0.headers["Spool-Signature"].isEmpty })
            #expect(Set(server.requests.flatMap { $0.headers["Spool-Subscription"] }) == ["plain", "unset"])
        }
    }

    @Test func retriesUntilTheServerAccepts() async throws {
        try await LoopbackHTTPServer.with(status: { $0 < 2 ? 503 : 204 }) { server in
            let configuration = [configured(["name": "flaky", "url": .string(server.url)])]
            let event = TestEvents.event("demo/ping", offset: 2)
            let appender = try await deliver(
                event, after: configuration, with: processor(retry: RetryPolicy(attempts: 5, initialDelay: .milliseconds(5))))
            #expect(server.requests.count == 3)
            #expect(server.requests.allSatisfy { $0.body == Array(event.jsonString.utf8) })
            #expect(appender.inputs.isEmpty)
        }
    }

    @Test func reportsAFailureAfterTheLastAttempt() async throws {
        try await LoopbackHTTPServer.with(status: { _ in 500 }) { server in
            let configuration = [configured(["name": "down", "url": .string(server.url)])]
            let event = TestEvents.event("demo/ping", offset: 7)
            let appender = try await deliver(event, after: configuration, with: processor())
            #expect(server.requests.count == 3)
            let failure = try #require(appender.inputs.first)
            #expect(appender.inputs.count == 1)
            #expect(failure.type == "spool/subscription-failed")
            #expect(failure.payload == [
                "name": "down", "url": .string(server.url), "sourceOffset": 7, "error": "HTTP 500", "attempts": 3,
            ])
            #expect(failure.idempotencyKey == ProcessorContext.idempotencyKey(processor: "subscriptions", source: event, ordinal: 0))
            #expect(appender.appends.first?.path == TestEvents.path)
        }
    }

    /// AsyncHTTPClient keeps reconnecting until the attempt's deadline, so a
    /// refused connection fails each attempt at its timeout, with the last error.
    @Test func reportsConnectionErrorsAfterRetrying() async throws {
        let appender = try await LoopbackHTTPServer.withRefusingURL { url in
            let configuration = [configured(["name": "nobody", "url": .string(url)])]
            return try await deliver(
            TestEvents.event("demo/ping", offset: 2), after: configuration,
            // 1 s per attempt: with less, a busy machine sometimes reached the deadline before the first refusal.
                with: processor(retry: RetryPolicy(attempts: 2, initialDelay: .milliseconds(5)), attemptTimeout: .seconds(1)))
        }
        let failure = try #require(appender.inputs.first)
        #expect(failure.type == "spool/subscription-failed")
        #expect(failure.payload["attempts"] == 2)
        #expect(failure.payload["error"]?.stringValue == "Connection refused (errno 111)", "\(failure.payload)")
    }

    @Test func reportsEachFailedSubscriptionUnderItsOwnKey() async throws {
        try await LoopbackHTTPServer.withRefusingURL { refusing in try await LoopbackHTTPServer.with(status: { _ in 200 }) { server in
            let configuration = [
                configured(["name": "a-down", "url": .string(refusing)], offset: 1),
                configured(["name": "b-up", "url": .string(server.url)], offset: 2),
                configured(["name": "c-down", "url": .string(refusing)], offset: 3),
            ]
            let event = TestEvents.event("demo/ping", offset: 4)
            let appender = try await deliver(
                event, after: configuration,
                with: processor(retry: RetryPolicy.none, attemptTimeout: .milliseconds(300)))
            #expect(server.requests.count == 1)
            #expect(appender.inputs.map { $0.payload["name"] } == ["a-down", "c-down"])
            #expect(appender.inputs.map(\.idempotencyKey) == [0, 2].map {
                ProcessorContext.idempotencyKey(processor: "subscriptions", source: event, ordinal: $0)
            })
        } }
    }

    @Test func deliversOnlyMatchingTypes() async throws {
        try await LoopbackHTTPServer.with { server in
            let configuration = [
                configured(["name": "agents", "url": .string(server.url), "types": ["agent/*", "demo/ping"]]),
            ]
            let subscriptions = processor()
            let events = ["agent/started", "demo/pong", "demo/ping", "agentx/started", "spool/subscription-removed"]
            for (index, type) in events.enumerated() {
                try await deliver(TestEvents.event(type, offset: 2 + index), after: configuration, with: subscriptions)
            }
            let delivered = try server.requests.map { request in
                try Event(json: JSONValue.parse(request.body)).type
            }
            #expect(delivered == ["agent/started", "demo/ping"])
        }
    }

    @Test func doesNothingWithoutSubscriptions() async throws {
        let appender = try await deliver(TestEvents.event("demo/ping"), after: [], with: processor())
        #expect(appender.inputs.isEmpty)
    }
}
