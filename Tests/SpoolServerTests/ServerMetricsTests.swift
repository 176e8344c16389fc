import Testing

@testable import SpoolServer

/// What a scrape sets, without a server: the scraped counters only move forward.
@Suite struct ServerMetricsTests {
    static func snapshot(published: Int, cpuSeconds: Double) -> ServerMetrics.Snapshot {
        ServerMetrics.Snapshot(
            headPosition: published, publishedEvents: published, liveSubscriptions: 0, processors: [],
            residentBytes: 1 << 20, cpuSeconds: cpuSeconds, openFiles: 3)
    }

    static func sample(_ name: String, in exposition: [UInt8]) -> String? {
        String(decoding: exposition, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// Two overlapping scrapes can take the lock in the other order than they read their numbers.
    @Test func aScrapeThatReadEarlierDoesNotTakeCountersBack() {
        let metrics = ServerMetrics()
        let newer = metrics.exposition(of: Self.snapshot(published: 10, cpuSeconds: 2.5))
        #expect(Self.sample("spool_events_published_total", in: newer) == "10")
        #expect(Self.sample("process_cpu_seconds_total", in: newer) == "2.5")
        let older = metrics.exposition(of: Self.snapshot(published: 7, cpuSeconds: 2.0))
        #expect(Self.sample("spool_events_published_total", in: older) == "10")
        #expect(Self.sample("process_cpu_seconds_total", in: older) == "2.5")
        #expect(Self.sample("spool_store_head_position", in: older) == "7.0", "a gauge says what was read")
        let later = metrics.exposition(of: Self.snapshot(published: 12, cpuSeconds: 3.0))
        #expect(Self.sample("spool_events_published_total", in: later) == "12")
        #expect(Self.sample("process_cpu_seconds_total", in: later) == "3.0")
    }
}
