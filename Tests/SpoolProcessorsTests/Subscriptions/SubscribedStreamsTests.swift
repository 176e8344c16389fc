import Logging
import SpoolCore
import SpoolStore
import SpoolTesting
import Testing

@testable import SpoolProcessors

/// Which streams' events the subscriptions processor is handed: learnt from the store, then live.
@Suite(.timeLimit(.minutes(2)))
struct SubscribedStreamsTests {
    func configured() throws -> AppendInput {
        try AppendInput(type: SubscriptionState.configuredType, payload: ["name": "hook", "url": "http://127.0.0.1:1/"])
    }

    @Test func wantsEverythingUntilPreparedThenOnlyStreamsThatHadASubscription() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let store = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        _ = try await store.append((0..<5).map { _ in try AppendInput(type: "noise/x") }, to: StreamPath("/busy"))
        let hooked = try await store.append(try configured(), to: StreamPath("/hooked"))
        _ = try await store.append(AppendInput(type: "noise/x"), to: StreamPath("/busy"))
        // More than a page of configurations: the last stream's are on the second page.
        _ = try await store.append((0..<SubscribedStreams.pageSize).map { _ in try configured() }, to: StreamPath("/first-page"))
        _ = try await store.append((0..<5).map { _ in try configured() }, to: StreamPath("/second-page"))

        let interest = SubscribedStreams()
        let quiet = TestEvents.event("note/added", path: TestEvents.streamPath("/busy"))
        let onHooked = TestEvents.event("order/placed", path: hooked.streamPath)
        #expect(interest.isInterested(in: quiet), "not prepared: everything")
        try await interest.prepare(reading: store)
        #expect(!interest.isInterested(in: quiet))
        #expect(interest.isInterested(in: onHooked))
        #expect(interest.isInterested(in: TestEvents.event("order/placed", path: TestEvents.streamPath("/second-page"))))

        // A configuration it is asked about (as the hub asks, in feed order) adds its stream at once.
        let later = TestEvents.event("order/placed", path: TestEvents.streamPath("/later"))
        #expect(!interest.isInterested(in: later))
        #expect(interest.isInterested(in: TestEvents.event(SubscriptionState.configuredType, path: TestEvents.streamPath("/later"))))
        #expect(interest.isInterested(in: later))
        #expect(interest.isInterested(in: TestEvents.event(SubscriptionState.removedType, path: TestEvents.streamPath("/never"))))

        interest.beginPreparing()
        #expect(interest.isInterested(in: quiet), "preparing again: everything, until it has read the store")
    }

    /// A store that is away when the processor starts: it is handed every event until the
    /// runtime, trying again, has read the configurations.
    @Test func theRuntimePreparesAgainUntilTheStoreAnswers() async throws {
        let logger = Logger(label: "spool-test") { _ in SwiftLogNoOpLogHandler() }
        let base = try SQLiteEventStore(directory: TestServer.temporaryDirectory(), logger: logger)
        _ = try await base.append(AppendInput(type: "noise/x"), to: StreamPath("/busy"))
        let store = TroubledStore(base: base, failingType: "none", failures: 0, readFailures: 3)
        let subscriptions = Subscriptions()
        let host = ProcessorHost(store: store, processors: [subscriptions], logger: logger)
        let quiet = TestEvents.event("note/added", path: TestEvents.streamPath("/busy"))
        #expect(subscriptions.subscribed.isInterested(in: quiet), "not prepared yet")
        let running = Task { try? await host.run() }
        defer { running.cancel() }
        #expect(await eventually { !subscriptions.subscribed.isInterested(in: quiet) }, "prepared after three failed reads")
    }
}
