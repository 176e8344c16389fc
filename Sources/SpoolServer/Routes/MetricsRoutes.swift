import Foundation
import Hummingbird
import SpoolProcessors
import SpoolStore

/// `GET /metrics`: the server's metrics in Prometheus' text format.
struct MetricsRoutes: Sendable {
    let metrics: ServerMetrics
    let store: any EventStore
    let host: ProcessorHost

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/metrics") { _, _ in try await scrape() }
    }

    func scrape() async throws -> Response {
        // A store that is away leaves its series as they were: the metrics still answer.
        let processors = try? await host.statuses()
        // Every status carries the head it was read against; without processors, read it.
        var headPosition = processors?.first?.headPosition
        if headPosition == nil { headPosition = try? await store.headPosition() }
        let pid = ProcessInfo.processInfo.processIdentifier
        let snapshot = ServerMetrics.Snapshot(
            headPosition: headPosition, publishedEvents: store.live.publishedEventCount,
            liveSubscriptions: store.live.subscriberCount, processors: processors,
            residentBytes: ProcessUsage.residentBytes(pid: pid), cpuSeconds: ProcessUsage.cpuSeconds(pid: pid),
            openFiles: ProcessUsage.openFiles(pid: pid))
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition(of: snapshot))))
    }
}
