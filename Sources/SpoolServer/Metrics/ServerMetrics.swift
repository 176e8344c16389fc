import Prometheus
import Synchronization

/// The server's metrics, kept in a Prometheus registry of the server's own (servers sharing a process, as in tests, count apart), served by `GET /metrics`.
///
/// Requests are counted as they finish, at the cost of a dictionary look-up; what the
/// store and the processors know (head position, live readers, lag) is read when scraped.
final class ServerMetrics: Sendable {
    /// Where every series is kept, and what `GET /metrics` emits.
    let registry: PrometheusCollectorRegistry
    /// Each series' handles, made on its first request: the registry's own look-up takes more.
    private let requests = Mutex<[RequestKey: (count: Counter, duration: DurationHistogram)]>([:])
    /// Scrapes one at a time: each sets the scraped series, then emits them.
    let scrapes: Mutex<ScrapeState>

    struct ScrapeState {
        let series: ScrapedSeries
        var processors: [String: ProcessorSeries] = [:]
        /// What the counters read last.
        var publishedEvents = 0
        var cpuSeconds = 0.0
    }

    /// The request series' names and help (the descriptor is not `Sendable`, so it is made when a series is).
    static var requestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "spool_http_requests", unitName: "total", helpText: "Requests answered, by method, the route's pattern and status.")
    }
    static var requestDuration: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "spool_http_request_duration", unitName: "seconds",
            helpText: "Time to answer a request (a live read: until its response starts), by method and route.")
    }

    /// Request durations from a tenth of a millisecond (a durable append takes about one) to ten seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
    ]

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        scrapes = Mutex(ScrapeState(series: ScrapedSeries(registry: registry)))
    }

    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// Counts a finished request and records how long it took to answer (a streamed
    /// response: until its head, not its end).
    /// - Parameters:
    ///   - method: one of the methods the server serves, or `other`, so odd ones make no series.
    ///   - route: the pattern the router matched (`/streams/**`), so paths do not make a
    ///     series each; `NotFound` for none.
    func recordRequest(method: String, route: String, status: Int, nanoseconds: Int64) {
        let key = RequestKey(method: method, route: route, status: status)
        let series = requests.withLock { requests in
            if let series = requests[key] { return series }
            let labels = [("method", method), ("route", route)]
            // The duration series is per method and route: the registry hands each status the same one.
            let series = (
                count: registry.makeCounter(descriptor: Self.requestsTotal, labels: labels + [("status", String(status))]),
                duration: registry.makeDurationHistogram(descriptor: Self.requestDuration, labels: labels, buckets: Self.durationBuckets))
            requests[key] = series
            return series
        }
        series.count.increment()
        series.duration.record(.nanoseconds(nanoseconds))
    }
}
