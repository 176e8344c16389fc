import Foundation
import SpoolCore
import Synchronization
import SpoolTesting
import Testing

/// `GET /metrics`: requests, the store, live readers, processors and the process, in
/// Prometheus' text format, from a real server.
@Suite(.timeLimit(.minutes(3))) struct MetricsTests {
    /// The samples of an exposition, by series (`name{labels}`, as written).
    static func samples(_ http: SpoolHTTP) async throws -> [String: Double] {
        let result = try await http.get("/metrics")
        #expect(result.status == 200)
        #expect(result.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        var samples: [String: Double] = [:]
        for line in result.text.split(separator: "\n") where !line.hasPrefix("#") {
            let space = try #require(line.lastIndex(of: " "), "not a sample: \(line)")
            guard let value = Double(line[line.index(after: space)...]) else {
                Issue.record("not a number: \(line)")
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// Waits for `condition` on the samples, naming `what` and showing the last samples if it never holds.
    static func waitFor(
        _ what: String, in http: SpoolHTTP, limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: @escaping @Sendable ([String: Double]) -> Bool
    ) async throws {
        let last = Mutex<[String: Double]>([:])
        do {
            try await eventually(limit) {
                let samples = try await samples(http)
                last.withLock { $0 = samples }
                return condition(samples)
            }
        } catch let error as TimeLimitExceeded {
            let shown = last.withLock { $0 }.filter { !$0.key.hasPrefix("spool_http") }.sorted { $0.key < $1.key }
            Issue.record("\(what): \(error); last samples: \(shown)", sourceLocation: sourceLocation)
            throw error
        }
    }

    @Test func countsRequestsByRouteStatusAndMethodNotByPath() async throws {
        try await withSpoolServer { http in
            for path in ["/a", "/b/c", "/d"] { try await http.append(path, type: "t") }
            #expect(try await http.post("/streams/a", json: "{").status == 400)
            #expect(try await http.get("/no/such/route/\(UUID())").status == 404)
            #expect(try await http.send(.RAW(value: "PROPFIND"), "/health").status == 501)

            let samples = try await Self.samples(http)
            #expect(samples[#"spool_http_requests_total{method="POST",route="/streams/**",status="201"}"#] == 3)
            #expect(samples[#"spool_http_requests_total{method="POST",route="/streams/**",status="400"}"#] == 1)
            #expect(samples[#"spool_http_requests_total{method="GET",route="NotFound",status="404"}"#] == 1)
            #expect(samples[#"spool_http_requests_total{method="other",route="NotFound",status="501"}"#] == 1)
            #expect(!samples.keys.contains { $0.contains("/no/such") || $0.contains("PROPFIND") }, "paths and odd methods make no series")

            let appends = #"method="POST",route="/streams/**""#
            #expect(samples["spool_http_request_duration_seconds_count{\(appends)}"] == 4)
            let sum = try #require(samples["spool_http_request_duration_seconds_sum{\(appends)}"])
            #expect(sum > 0 && sum < 30)
            let buckets = samples.filter { $0.key.hasPrefix("spool_http_request_duration_seconds_bucket{\(appends)") }
            #expect(buckets.count == 16, "15 bounds and +Inf")
            #expect(buckets[#"spool_http_request_duration_seconds_bucket{\#(appends),le="+Inf"}"#] == 4)
            #expect(buckets.values.allSatisfy { $0 <= 4 })

            // The scrape itself is counted once it is answered.
            let again = try await Self.samples(http)
            #expect(again[#"spool_http_requests_total{method="GET",route="/metrics",status="200"}"#] == 1)
        }
    }

    @Test func followsTheStoreLiveReadersAndProcessors() async throws {
        try await withSpoolServer { http in
            let before = try await Self.samples(http)
            #expect(before["spool_store_head_position"] == 0)
            #expect(before["spool_events_published_total"] == 0)

            for index in 0..<7 { try await http.append("/m/\(index % 2)", type: "t") }
            let processors = ["circuit-breaker", "scheduler", "subscriptions", "agent", "workers"]
            // Caught up: every processor is running, so its feed is subscribed.
            // Generous limits: the start of a full parallel run starves two cores for tens of seconds.
            try await Self.waitFor("every processor caught up", in: http) { samples in
                processors.allSatisfy { samples[#"spool_processor_lag_events{processor="\#($0)"}"#] == 0 }
            }
            let samples = try await Self.samples(http)
            #expect(samples["spool_store_head_position"] == 7)
            #expect(samples["spool_events_published_total"] == 7)
            for processor in processors {
                #expect(samples[#"spool_processor_checkpoint_position{processor="\#(processor)"}"#] == 7, "\(processor)")
                #expect(samples[#"spool_processor_failures{processor="\#(processor)"}"#] == 0, "\(processor)")
                #expect(samples[#"spool_processor_runs_here{processor="\#(processor)"}"#] == 1, "one node runs them all: \(processor)")
            }

            let feeds = try #require(samples["spool_live_subscriptions"])
            #expect(feeds >= Double(processors.count))
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (opened, openedSink) = AsyncStream<Void>.makeStream()
                group.addTask {
                    var reader = try await http.openStream("/streams/m/0?live=true&format=ndjson")
                    _ = try await reader.nextNonEmptyLine()
                    openedSink.yield()
                    while try await reader.nextLine() != nil {}  // until cancelled
                }
                for await _ in opened { break }
                try await Self.waitFor("the live read counted", in: http) { $0["spool_live_subscriptions"] == feeds + 1 }
                group.cancelAll()
            }
            // A closed connection is noticed at once when idle, but under load as late as a keep-alive write.
            try await Self.waitFor("the live read gone", in: http, limit: .seconds(75)) { $0["spool_live_subscriptions"] == feeds }
        }
    }

    /// A worker's series are its version's (`worker:NAME@P`): two workers of one name on two
    /// streams count apart, and each goes with its removal.
    @Test func aWorkersSeriesComeAndGoWithIt() async throws {
        try await withSpoolServer { http in
            let source = "export default { initialState: {}, reduce(state) { return state } }"
            let deploy = #"{"type":"spool/worker-configured","payload":{"name":"quiet","source":\#(JSONValue.string(source).jsonString)}}"#
            let first = try await http.post("/streams/w/a", json: deploy)
            let second = try await http.post("/streams/w/b", json: deploy)
            #expect(first.status == 201 && second.status == 201)
            let positions = try [first, second].map { try #require($0.json()["position"]?.intValue) }
            let series = positions.map { #"spool_processor_lag_events{processor="worker:quiet@\#($0)"}"# }
            try await Self.waitFor("both workers' series", in: http) { samples in series.allSatisfy { samples[$0] != nil } }

            #expect(try await http.post("/streams/w/a", json: #"{"type":"spool/worker-removed","payload":{"name":"quiet"}}"#).status == 201)
            try await Self.waitFor("the removed worker's series gone", in: http) { $0[series[0]] == nil && $0[series[1]] != nil }
        }
    }

    @Test func theProcessIsMeasured() async throws {
        try await withSpoolServer { http in
            let samples = try await Self.samples(http)
            #expect(try #require(samples["process_resident_memory_bytes"]) > 1_000_000)
            #expect(try #require(samples["process_cpu_seconds_total"]) > 0)
            #expect(try #require(samples["process_open_fds"]) >= 3)
        }
    }

    @Test func everyFamilyHasItsHelpAndType() async throws {
        try await withSpoolServer { http in
            try await http.append("/a", type: "t")
            _ = try await http.get("/metrics")
            let lines = try await http.get("/metrics").text.split(separator: "\n")
            func families(_ prefix: String) -> [Substring: Substring] {
                Dictionary(
                    lines.filter { $0.hasPrefix(prefix) }.map { line in
                        let rest = line.dropFirst(prefix.count)
                        let name = rest.prefix { $0 != " " }
                        return (name, rest.dropFirst(name.count + 1))
                    }, uniquingKeysWith: { first, _ in first })
            }
            let types = families("# TYPE "), helps = families("# HELP ")
            for family in ["spool_http_requests_total", "spool_http_request_duration_seconds", "spool_store_head_position", "process_open_fds"] {
                #expect(types[Substring(family)] != nil, "\(family) is emitted")
            }
            for (family, type) in types {
                let help = helps[family] ?? ""
                #expect(help.count > 10, "\(family) (\(type)) is explained: \(help)")
            }
        }
    }

    @Test func needsTheTokenWhenThereIsOne() async throws {
        try await withSpoolServer(configure: { $0.authToken = "metrics-secret" }) { http in
            try expectError(try await http.get("/metrics"), status: 401, code: "unauthorized")
            #expect(try await http.authorized("metrics-secret").get("/metrics").status == 200)
        }
    }
}
