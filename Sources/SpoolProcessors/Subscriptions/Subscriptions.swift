import AsyncHTTPClient
import Foundation
import Logging
import SpoolCore
import SpoolStore

/// Delivers a stream's events to webhooks: each `spool/subscription-configured
/// {name, url, types?, secretEnv?}` receives a POST of every matching event's
/// wire JSON, with headers `Spool-Event-Id: <path>@<offset>`,
/// `Spool-Subscription: <name>` and, when `secretEnv` names a set environment
/// variable, `Spool-Signature: sha256=<hex HMAC-SHA256 of the body>`.
///
/// Failed deliveries are retried with backoff; after the last attempt the
/// processor appends `spool/subscription-failed {name, url, sourceOffset, error, attempts}`.
///
/// It is handed only the events of streams that have had a subscription (`SubscribedStreams`):
/// the many streams without one cost it nothing.
public struct Subscriptions: StreamProcessor, PreparedInterest {
    public let name = "subscriptions"
    public let streams = StreamPattern.all
    public let initialState = SubscriptionState()

    private let delivery: WebhookDelivery
    private let environment: @Sendable (String) -> String?
    let subscribed = SubscribedStreams()

    /// - Parameters:
    ///   - httpClient: sends the POSTs.
    ///   - retry: how often and how long apart to try each delivery.
    ///   - attemptTimeout: the longest one attempt may take.
    ///   - environment: looks up environment variables (for the HMAC secrets).
    ///   - logger: logs retries; silent by default.
    public init(
        httpClient: HTTPClient = .shared,
        retry: RetryPolicy = RetryPolicy(attempts: 5, initialDelay: .milliseconds(200)),
        attemptTimeout: Duration = .seconds(10),
        environment: @escaping @Sendable (String) -> String? = { ProcessInfo.processInfo.environment[$0] },
        logger: Logger = Logger(label: "spool.subscriptions", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        delivery = WebhookDelivery(httpClient: httpClient, retry: retry, attemptTimeout: attemptTimeout, logger: logger)
        self.environment = environment
    }

    public func reduce(into state: inout SubscriptionState, event: Event) {
        state.apply(event)
    }

    /// The events of streams that have had a subscription, and subscription configurations.
    public func isInterested(in event: Event) -> Bool {
        subscribed.isInterested(in: event)
    }

    func beginPreparing() { subscribed.beginPreparing() }

    func prepare(reading store: any EventStore) async throws { try await subscribed.prepare(reading: store) }

    /// POSTs the event to each matching subscription concurrently, then
    /// reports the deliveries that failed, in name order.
    /// Only a stream with subscriptions has anything to deliver; a subscription it cannot use is reported.
    public func reacts(to event: Event, state: SubscriptionState) -> Bool {
        !state.subscriptions.isEmpty || event.type == SubscriptionState.configuredType || event.type == SubscriptionState.removedType
    }

    public func afterAppend(event: Event, state: SubscriptionState, context: ProcessorContext) async throws {
        if event.type == SubscriptionState.configuredType {
            do {
                _ = try Subscription(payload: event.payload)
            } catch {
                try await ConfigurationRefusal.report(error, on: event, processor: name, context: context)
            }
        } else if event.type == SubscriptionState.removedType, (event.payload["name"]?.stringValue ?? "").isEmpty {
            let error = SpoolError(.invalidEvent, "'name' must name the subscription to remove")
            try await ConfigurationRefusal.report(error, on: event, processor: name, context: context)
        }
        let targets = state.subscriptions(for: event)
        guard !targets.isEmpty else { return }
        let body = Array(event.jsonString.utf8)
        let outcomes = try await withThrowingTaskGroup(of: (Int, WebhookDelivery.Outcome).self) { group in
            for (index, subscription) in targets.enumerated() {
                let secret = subscription.secretEnv.flatMap(environment)
                let request = WebhookDelivery.request(event: event, body: body, subscription: subscription, secret: secret)
                group.addTask { (index, try await delivery.deliver(request, subscription: subscription.name)) }
            }
            var outcomes: [(Int, WebhookDelivery.Outcome)] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }
        }
        for (index, outcome) in outcomes {
            guard case .failed(let error, let attempts) = outcome else { continue }
            let subscription = targets[index]
            var input = try AppendInput(
                type: SubscriptionState.failedType,
                payload: [
                    "name": .string(subscription.name), "url": .string(subscription.url),
                    "sourceOffset": .int(Int64(event.offset)), "error": .string(error),
                    "attempts": .int(Int64(attempts)),
                ])
            // Keyed by the subscription's place, not by the order failures finish in,
            // so a replay derives the same key for the same report.
            input.idempotencyKey = ProcessorContext.idempotencyKey(processor: name, source: event, ordinal: index)
            try await context.append(input)
        }
    }
}
