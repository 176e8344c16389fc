import Logging
import SpoolCore
import SpoolStore
import Testing

@testable import SpoolPostgres

/// The events a commit's notification carries to other nodes, and what a follower makes of them.
struct CommitNoticeTests {
    private func event(_ path: String, offset: Int, type: String = "t", payload: String = "{}", metadata: String? = nil, key: String? = nil)
        throws -> Event
    {
        Event(
            streamPath: try StreamPath(path), offset: offset, position: 0, type: type, payloadJSON: payload,
            metadataJSON: metadata, idempotencyKey: key, createdAt: Timestamp(millisecondsSinceEpoch: 1_764_000_000_123))
    }

    private func positioned(_ events: [Event], after head: Int) -> [Event] {
        events.enumerated().map { index, event in
            var event = event
            event.position = head + index + 1
            return event
        }
    }

    @Test func eventsComeBackExactlyWithTheirPositions() throws {
        let events = [
            try event("/a/b", offset: 7, type: "order/placed", payload: #"{"text":"line\nbreak and \"quotes\"","n":1.5}"#),
            try event("/a/c-1.x~y", offset: 1, payload: #"{"emoji":"🧵 spool"}"#, metadata: #"{"trace":"x y"}"#, key: "key with spaces"),
            try event("/a/b", offset: 8, metadata: "{}", key: ""),
        ]
        let notice = try #require(CommitNotice(payload: "42 " + CommitNotice.encode(events)))
        #expect(notice.head == 42)
        #expect(notice.events == positioned(events, after: 39))
    }

    @Test func aCommitTooLargeForANotificationCarriesOnlyItsHead() throws {
        let large = try event("/big", offset: 1, payload: #"{"data":""# + String(repeating: "x", count: 8_000) + #""}"#)
        #expect(CommitNotice.encode([large]).isEmpty)
        let many = try (1...100).map { try event("/many", offset: $0, payload: #"{"data":""# + String(repeating: "x", count: 100) + #""}"#) }
        #expect(CommitNotice.encode(many).isEmpty, "100 events of 100 bytes exceed a notification")
        let notice = try #require(CommitNotice(payload: "9"))
        #expect(notice.head == 9)
        #expect(notice.events == nil)
    }

    @Test func malformedNoticesAreRefused() throws {
        #expect(CommitNotice(payload: "") == nil)
        #expect(CommitNotice(payload: "not a number") == nil)
        let good = CommitNotice.encode([try event("/a", offset: 1, payload: #"{"k":"v"}"#)])
        for broken in [String(good.dropLast()), good + "x", "1 2 3\n", good.replacingOccurrences(of: "\n", with: " ")] {
            #expect(try #require(CommitNotice(payload: "5 " + broken)).events == nil, "\(broken)")
        }
    }

    /// Notices that follow what was published are published as they are; anything else
    /// (a gap, no events, not a notice) makes the follower read the feed instead.
    @Test func aFollowerPublishesNoticesThatFollowAndReadsOtherwise() async throws {
        let hub = LiveHub()
        let mailbox = hub.subscribe(toPrefix: .root)
        let follower = PostgresFeedFollower(live: hub, logger: Logger(label: "test"))
        follower.start(after: 10)
        let first = [try event("/a", offset: 1), try event("/b", offset: 1)]
        #expect(follower.notified("12 " + CommitNotice.encode(first)) == false)
        guard case .events(let delivered) = await mailbox.next() else {
            Issue.record("expected the notice's events")
            return
        }
        #expect(delivered == positioned(first, after: 10))
        #expect(follower.notified("12 " + CommitNotice.encode(first)) == false, "a notice already published is ignored")
        #expect(follower.notified("11") == false, "so is an older head")
        #expect(follower.notified("15 " + CommitNotice.encode([try event("/a", offset: 3)])) == true, "13 and 14 are missing")
        #expect(follower.notified("13") == true, "a head without events")
        #expect(follower.notified("garbage") == true)
        let next = [try event("/a", offset: 2)]
        #expect(follower.notified("13 " + CommitNotice.encode(next)) == false)
        guard case .events(let more) = await mailbox.next() else {
            Issue.record("expected the next notice's event")
            return
        }
        #expect(more == positioned(next, after: 12))
    }
}
