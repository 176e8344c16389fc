import CoreMetrics
import Prometheus
import Synchronization

/// The server's metrics, recorded through swift-metrics into a Prometheus registry of the
/// server's own (servers sharing a process, as in tests, count apart), served by `GET /metrics`.
///
/// Requests are counted as they finish, at the cost of two dictionary look-ups; what the
/// store and the processors know (head position, live readers, lag) is read when scraped.
final class ServerMetrics: Sendable {
    /// Where every series is kept, and what `GET /metrics` emits.
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let requests = Mutex<[RequestKey: CoreMetrics.Counter]>([:])
    private let durations = Mutex<[RouteKey: CoreMetrics.Timer]>([:])
    /// Scrapes one at a time: each sets the scraped series, then emits them.
    let scrapes: Mutex<ScrapeState>

    struct ScrapeState {
        let series: ScrapedSeries
        var processors: [String: ProcessorSeries] = [:]
        /// What the counters read last.
        var publishedEvents = 0
        var cpuSeconds = 0.0
    }

    /// Request durations from a tenth of a millisecond (a durable append takes about one) to ten seconds.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(10),
    ]

    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        scrapes = Mutex(ScrapeState(series: ScrapedSeries(registry: registry)))
    }

    struct RouteKey: Hashable {
        let method: String
        let route: String
    }

    struct RequestKey: Hashable {
        let route: RouteKey
        let status: Int
    }

    /// Counts a finished request and records how long it took to answer (a streamed
    /// response: until its head, not its end).
    /// - Parameter route: the pattern the router matched (`/streams/**`), so paths do not
    ///   make a series each; `NotFound` for none.
    func recordRequest(method: String, route: String, status: Int, nanoseconds: Int64) {
        let routeKey = RouteKey(method: Self.knownMethods.contains(method) ? method : "other", route: route)
        let key = RequestKey(route: routeKey, status: status)
        let counter = requests.withLock { requests in
            if let counter = requests[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "spool_http_requests_total",
                dimensions: [("method", routeKey.method), ("route", routeKey.route), ("status", String(status))], factory: factory)
            requests[key] = counter
            return counter
        }
        counter.increment()
        let timer = durations.withLock { durations in
            if let timer = durations[routeKey] { return timer }
            let timer = CoreMetrics.Timer(
                label: "spool_http_request_duration_seconds", dimensions: [("method", routeKey.method), ("route", routeKey.route)],
                factory: factory)
            durations[routeKey] = timer
            return timer
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// Methods that get a series of their own; any other is counted as `other`.
    static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
}
