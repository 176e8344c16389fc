import Foundation
import Prometheus
import SpoolProcessors

extension ServerMetrics {
    /// What a scrape reads from the store, the processors and the process.
    struct Snapshot {
        var headPosition: Int?
        var publishedEvents: Int
        var liveSubscriptions: Int
        /// `nil` when the processors' progress could not be read (a store that is away): their
        /// series keep their last values.
        var processors: [ProcessorStatus]?
        var residentBytes: Int?
        var cpuSeconds: Double?
        var openFiles: Int?
    }

    /// The series a scrape sets, made once; processors come and go (workers), so theirs are
    /// made and removed as they do.
    final class ScrapedSeries: Sendable {
        let headPosition: Gauge
        let publishedEvents: Counter
        let liveSubscriptions: Gauge
        let residentBytes: Gauge
        let cpuSeconds: Counter
        let openFiles: Gauge

        init(registry: PrometheusCollectorRegistry) {
            headPosition = registry.makeGauge(
                descriptor: .init(metricName: "spool_store_head", unitName: "position", helpText: "The store's newest position: how many events it holds, all streams."))
            publishedEvents = registry.makeCounter(
                descriptor: .init(
                    metricName: "spool_events_published", unitName: "total",
                    helpText: "Events committed and handed to live readers since start (on PostgreSQL, every node's)."))
            liveSubscriptions = registry.makeGauge(
                descriptor: .init(metricName: "spool_live", unitName: "subscriptions", helpText: "Open live subscriptions: live reads over HTTP and processors' feeds."))
            residentBytes = registry.makeGauge(descriptor: .init(metricName: "process_resident_memory", unitName: "bytes", helpText: "Resident memory of the server process."))
            cpuSeconds = registry.makeCounter(descriptor: .init(metricName: "process_cpu_seconds", unitName: "total", helpText: "User and system CPU time of the server process."))
            openFiles = registry.makeGauge(descriptor: .init(metricName: "process_open", unitName: "fds", helpText: "Open file descriptors (sockets included)."))
        }
    }

    struct ProcessorSeries {
        let checkpoint: Gauge
        let lag: Gauge
        let failures: Gauge
        let runsHere: Gauge
    }

    /// The exposition text (Prometheus 0.0.4) after setting the scraped series to `snapshot`.
    func exposition(of snapshot: Snapshot) -> [UInt8] {
        scrapes.withLock { state in
            let series = state.series
            if let head = snapshot.headPosition { series.headPosition.set(Int64(head)) }
            // Counters only move forward: a scrape that read its numbers before an overlapping
            // one (and took the lock after it) must not take them back.
            if snapshot.publishedEvents > state.publishedEvents {
                series.publishedEvents.increment(by: Int64(snapshot.publishedEvents - state.publishedEvents))
                state.publishedEvents = snapshot.publishedEvents
            }
            series.liveSubscriptions.set(Int64(snapshot.liveSubscriptions))
            if let bytes = snapshot.residentBytes { series.residentBytes.set(Int64(bytes)) }
            if let seconds = snapshot.cpuSeconds, seconds > state.cpuSeconds {
                series.cpuSeconds.increment(by: seconds - state.cpuSeconds)
                state.cpuSeconds = seconds
            }
            if let files = snapshot.openFiles { series.openFiles.set(Int64(files)) }
            if let processors = snapshot.processors { update(&state.processors, to: processors) }
            return registry.emitToBuffer()
        }
    }

    private func update(_ known: inout [String: ProcessorSeries], to statuses: [ProcessorStatus]) {
        for status in statuses {
            // By storage name: workers of one name on different streams are different processors.
            let series = known[status.storageName] ?? makeSeries(processor: status.storageName)
            known[status.storageName] = series
            series.checkpoint.set(Int64(status.checkpoint))
            series.lag.set(Int64(status.lag))
            series.failures.set(Int64(status.failures))
            series.runsHere.set(Int64(status.runsHere ? 1 : 0))
        }
        let current = Set(statuses.map(\.storageName))
        for (name, series) in known where !current.contains(name) {
            registry.unregisterGauge(series.checkpoint)
            registry.unregisterGauge(series.lag)
            registry.unregisterGauge(series.failures)
            registry.unregisterGauge(series.runsHere)
            known[name] = nil
        }
    }

    private func makeSeries(processor: String) -> ProcessorSeries {
        let labels = [("processor", processor)]
        return ProcessorSeries(
            checkpoint: registry.makeGauge(
                descriptor: .init(
                    metricName: "spool_processor_checkpoint", unitName: "position",
                    helpText: "The feed position below which the processor has handled every event, as last saved."),
                labels: labels),
            lag: registry.makeGauge(
                descriptor: .init(
                    metricName: "spool_processor_lag", unitName: "events", helpText: "Events in the store the processor has not handled yet."),
                labels: labels),
            failures: registry.makeGauge(
                descriptor: .init(
                    metricName: "spool_processor", unitName: "failures",
                    helpText: "afterAppend calls that failed for good since the processor started on this node."),
                labels: labels),
            runsHere: registry.makeGauge(
                descriptor: .init(
                    metricName: "spool_processor_runs", unitName: "here",
                    helpText: "1 if the processor runs on this node (with several nodes, on exactly one), else 0."),
                labels: labels))
    }
}
