import Logging
import PostgresNIO
import SpoolCore
import SpoolStore
import Synchronization

/// Publishes every committed event, from this node or any other, to the local
/// `LiveHub` exactly once and in position order.
///
/// Events committed here are published at once. Other nodes' commits arrive as
/// `NOTIFY spool_events` on a listening connection (see `CommitNotice`): a
/// notice that carries the commit's events, when they follow the last position
/// published, is published as it is; otherwise the follower reads the feed
/// after the last position it published. Because
/// positions are gapless (see `PostgresAppendTransaction`), "the next event" is
/// always `lastPublished + 1`: a local commit that would jump ahead waits for the
/// catch-up read instead, so live readers never see a hole. A periodic catch-up
/// covers notifications lost while the listening connection was down.
final class PostgresFeedFollower: Sendable {
    /// The channel that append transactions notify.
    static let channel = "spool_events"
    /// How often the follower looks for commits even without a notification.
    static let pollInterval = Duration.seconds(1)

    private let live: LiveHub
    private let logger: Logger
    private let lastPublished = Mutex(0)
    private let catchUpRequests: AsyncStream<Void>
    private let requestCatchUp: AsyncStream<Void>.Continuation

    init(live: LiveHub, logger: Logger) {
        self.live = live
        self.logger = logger
        (catchUpRequests, requestCatchUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts after `position`: earlier events are history, which readers fetch themselves.
    func start(after position: Int) {
        lastPublished.withLock { $0 = position }
    }

    /// Announces events this node committed, in position order.
    func committed(_ events: [Event]) {
        if !publish(events) { requestCatchUp.yield() }
    }

    /// Takes in a notification: publishes the events it carries, or asks for a read when
    /// it carries none, or not the next ones. Returns whether it asked for a read.
    @discardableResult
    func notified(_ payload: String) -> Bool {
        guard let notice = CommitNotice(payload: payload) else {
            requestCatchUp.yield()
            return true
        }
        // Already published (this node's own commit, say): nothing to read, nothing to decode.
        guard notice.head > lastPublished.withLock({ $0 }) else { return false }
        guard let events = notice.events, publish(events) else {
            requestCatchUp.yield()
            return true
        }
        return false
    }

    /// Publishes `events`, one commit's, unless they were published already. Returns false
    /// when they do not follow the last position published: the feed must be read.
    private func publish(_ events: [Event]) -> Bool {
        guard let first = events.first, let last = events.last else { return true }
        return lastPublished.withLock { lastPublished in
            if last.position <= lastPublished { return true }
            guard first.position == lastPublished + 1 else { return false }
            live.publish(events)
            lastPublished = last.position
            return true
        }
    }

    /// Listens for other nodes' commits and publishes them until cancelled (shutdown).
    func run(client: PostgresClient, readFeed: @escaping @Sendable (Int) async throws -> [Event]) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.listen(client: client) }
            group.addTask {
                while (try? await Task.sleep(for: Self.pollInterval)) != nil { self.requestCatchUp.yield() }
            }
            group.addTask {
                for await _ in self.catchUpRequests { await self.catchUp(readFeed) }
            }
        }
    }

    /// Keeps one connection listening, reconnecting after failures.
    private func listen(client: PostgresClient) async {
        let failing = Mutex(false)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        if failing.withLock({ $0 }) {
                            failing.withLock { $0 = false }
                            self.logger.info("listening for other nodes' commits again")
                        }
                        // Whatever committed while nobody listened is read now.
                        self.requestCatchUp.yield()
                        for try await notification in notifications { self.notified(notification.payload) }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                // Once per outage, not once per attempt.
                let first = failing.withLock { failing in
                    defer { failing = true }
                    return !failing
                }
                logger.log(
                    level: first ? .warning : .debug, "cannot listen for other nodes' commits; retrying",
                    metadata: ["spool.error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Publishes every event committed after the last one published.
    private func catchUp(_ readFeed: @Sendable (Int) async throws -> [Event]) async {
        while !Task.isCancelled {
            let after = lastPublished.withLock { $0 }
            let page: [Event]
            do {
                page = try await readFeed(after)
            } catch {
                logger.debug("catch-up read failed", metadata: ["spool.error": "\(error)"])
                return
            }
            let done = lastPublished.withLock { lastPublished in
                // Local commits may have been published meanwhile.
                let fresh = page.filter { $0.position > lastPublished }
                if let last = fresh.last {
                    live.publish(fresh)
                    lastPublished = last.position
                }
                return page.count < LiveTail.pageSize
            }
            if done { return }
        }
    }
}
