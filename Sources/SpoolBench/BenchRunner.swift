import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolClient
import SpoolCore
import SpoolServer
import SpoolTesting
import Synchronization

/// Generates load against a running server and measures it from the outside.
public struct BenchRunner: Sendable {
    /// Every node of the cluster under test; the first is the one appends without
    /// a spread (latency, live, catch-up) go to.
    let nodes: [String]
    let token: String?
    let http: HTTPClient
    /// The server's process id, when known, for memory readings.
    let serverPID: Int32?
    /// Prefixes this run's streams, so a reused server's earlier runs (and the
    /// streams their bursts paused) do not affect it.
    let runPrefix = "/bench/\(RawHTTPLoad.now() / 1_000_000)"

    var baseURL: String { nodes[0] }

    /// - Parameter otherNodes: more nodes serving the same streams (PostgreSQL): concurrent
    ///   appends spread over all of them, and live subscribers too, so live delivery is
    ///   measured across nodes.
    public init(baseURL: String, otherNodes: [String] = [], token: String?, http: HTTPClient, serverPID: Int32?) {
        self.nodes = [baseURL] + otherNodes
        self.token = token
        self.http = http
        self.serverPID = serverPID
    }

    /// One load generator per node.
    func loads() throws -> [RawHTTPLoad] {
        try nodes.map { try RawHTTPLoad(baseURL: $0, token: token) }
    }

    /// Names the spread in report rows when there are several nodes.
    var overNodes: String { clustered ? " over \(nodes.count) nodes" : "" }
    /// Several nodes of one cluster: their targets are issue 7's (a shared database), not a single node's.
    var clustered: Bool { nodes.count > 1 }

    /// A client with enough connections for every subscriber and appender.
    public static func makeHTTPClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    var serverRSS: Int? { serverPID.flatMap(ProcessUsage.residentBytes(pid:)) }

    /// Runs every benchmark in turn, reporting progress lines.
    public func run(_ options: BenchOptions, progress: @Sendable (String) -> Void) async throws -> BenchReport {
        var report = BenchReport()
        report.add("idle server RSS", BenchReport.megabytes(serverRSS), target: "≤ 50 MB")
        let phases = options.phases
        if phases.contains(.latency) {
            progress("sequential appends…")
            try await measuringServerCPU(&report) { try await sequentialAppends(options, into: &$0) }
        }
        if phases.contains(.throughput) {
            progress("concurrent single appends…")
            try await measuringServerCPU(&report) { try await concurrentAppends(options, batchSize: 1, into: &$0) }
            progress("concurrent batch appends…")
            try await measuringServerCPU(&report) { try await concurrentAppends(options, batchSize: options.batchSize, into: &$0) }
        }
        if phases.contains(.live) {
            progress("live delivery to \(options.subscribers) subscribers…")
            try await measuringServerCPU(&report) { try await liveDelivery(options, into: &$0) }
            #if canImport(Glibc)
            progress("the same fan-out from a stand-in that only writes…")
            let floor = Percentiles(try await fanOutFloor(options).atSocket.map { Double($0) })
            report.add(
                "  floor: loopback writes alone, p50 / p99", "\(BenchReport.milliseconds(floor.p50)) / \(BenchReport.milliseconds(floor.p99))")
            #endif
        }
        if phases.contains(.catchUp) {
            progress("catch-up read of \(options.catchUpEvents) events…")
            try await catchUpRead(options, into: &report)
        }
        return report
    }

    /// Runs a phase and notes, on the rows it added, how busy the server was (percent of one core).
    func measuringServerCPU(_ report: inout BenchReport, _ phase: (inout BenchReport) async throws -> Void) async throws {
        let firstRow = report.rows.count
        let cpuBefore = serverPID.flatMap(ProcessUsage.cpuSeconds(pid:))
        let start = ContinuousClock.now
        try await phase(&report)
        let elapsed = Self.seconds(ContinuousClock.now - start)
        guard let cpuBefore, let cpuAfter = serverPID.flatMap(ProcessUsage.cpuSeconds(pid:)) else { return }
        let percent = String(format: "%.0f%%", (cpuAfter - cpuBefore) / elapsed * 100)
        for index in firstRow..<report.rows.count { report.rows[index].serverCPU = percent }
    }

    // MARK: Appends

    static let payload = String(repeating: "x", count: 188)

    /// `count` bench events as an append's body: one event, or an array of them.
    static func appendBody(count: Int) -> String {
        let one = #"{"type":"bench/event","payload":{"data":"\#(payload)"}}"#
        return count == 1 ? one : "[" + Array(repeating: one, count: count).joined(separator: ",") + "]"
    }

    /// Lifts the circuit breaker's limit on bench streams (load is what we are here for),
    /// and waits until the breaker has read that, so a burst does not trip it first.
    /// The breaker still judges every event: at most 100,000 (its largest limit) within
    /// a millisecond, which keeps as few event times per stream as its default does.
    func prepare(_ paths: [String]) async throws {
        let configure = ByteBuffer(
            string: #"{"type":"spool/circuit-breaker-configured","payload":{"maxEvents":100000,"windowSeconds":0.001}}"#)
        for path in paths { try await post(path, configure) }
        try await waitForProcessorsToCatchUp()
    }

    func post(_ path: String, _ body: ByteBuffer) async throws {
        var request = HTTPClientRequest(url: baseURL + "/streams" + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(60))
        let answer = try await response.body.collect(upTo: 1 << 24)
        guard response.status == .created || response.status == .ok else {
            throw BenchError("append failed: \(response.status) \(String(buffer: answer))")
        }
    }

    func sequentialAppends(_ options: BenchOptions, into report: inout BenchReport) async throws {
        let load = try RawHTTPLoad(baseURL: baseURL, token: token)
        let body = PostBody.same(Array(Self.appendBody(count: 1).utf8))
        try await prepare([runPrefix + "/sequential"])
        _ = try await load.post(runPrefix + "/sequential", count: 50, body: body)
        let latencies = try await load.post(runPrefix + "/sequential", count: options.sequentialAppends, body: body)
        let stats = Percentiles(latencies.map { Double($0) })
        report.add("append latency p50 (1 client)", BenchReport.milliseconds(stats.p50), target: "≤ 1 ms")
        report.add("append latency p99 (1 client)", BenchReport.milliseconds(stats.p99), target: "≤ 5 ms")
    }

    func concurrentAppends(_ options: BenchOptions, batchSize: Int, into report: inout BenchReport) async throws {
        let loads = try loads()
        let requestsPerClient = batchSize == 1 ? options.singleEventsPerClient : options.batchesPerClient
        try await prepare((0..<16).map { runPrefix + "/concurrent/\(batchSize)/\($0)" })
        let posting = PostingLoad(
            targets: (0..<options.concurrentClients).map { .init(node: loads[$0 % loads.count], path: runPrefix + "/concurrent/\(batchSize)/\($0 % 16)") },
            requestsPerConnection: requestsPerClient, body: .same(Array(Self.appendBody(count: batchSize).utf8)))
        let start = ContinuousClock.now
        _ = try await posting.run()
        let seconds = Self.seconds(ContinuousClock.now - start)
        let events = options.concurrentClients * requestsPerClient * batchSize
        if batchSize == 1 {
            report.add("append throughput, \(options.concurrentClients) clients\(overNodes), single", BenchReport.rate(events, seconds: seconds), target: clustered ? "≥ 10,000 events/s" : "≥ 20,000 events/s")
        } else {
            report.add("append throughput, \(options.concurrentClients) clients\(overNodes), batches of \(batchSize)", BenchReport.rate(events, seconds: seconds), target: clustered ? "≥ 100,000 events/s" : "≥ 200,000 events/s")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Live delivery

    func liveDelivery(_ options: BenchOptions, into report: inout BenchReport) async throws {
        let loads = try loads()
        let path = runPrefix + "/live"
        try await prepare([path])
        // With several nodes, most subscribers sit on other nodes than the appends.
        let subscribers = LiveSubscribers(
            nodes: loads, path: path, after: 1, count: options.subscribers, threads: ProcessInfo.processInfo.activeProcessorCount)
        let posting = options.liveInterval * options.liveEvents
        var idleRSS: Int?
        let latencies = try await subscribers.measure(expected: options.liveEvents, timeout: posting + .seconds(60)) {
            try await Task.sleep(for: .milliseconds(500))
            idleRSS = serverRSS
            let stamped = PostBody.fresh { Array(#"{"type":"bench/event","payload":{"data":"\#(Self.payload)","sentAt":\#(LiveLatencies.now())}}"#.utf8) }
            _ = try await loads[0].post(path, count: options.liveEvents, pause: options.liveInterval, body: stamped)
        }
        report.add("server RSS, \(options.subscribers) idle SSE subscribers", BenchReport.megabytes(idleRSS), target: "≤ 150 MB")
        let stats = Percentiles(latencies.atSocket.map { Double($0) })
        let read = Percentiles(latencies.whenRead.map { Double($0) })
        let expected = options.subscribers * options.liveEvents
        report.add("live delivery p50 (\(options.subscribers) subscribers\(overNodes))", BenchReport.milliseconds(stats.p50))
        report.add("live delivery p99 (\(options.subscribers) subscribers\(overNodes))", BenchReport.milliseconds(stats.p99), target: clustered ? "≤ 50 ms" : "≤ 10 ms")
        report.add("live events delivered", "\(stats.count) of \(expected)", target: "all")
        report.add(
            "  collected by the bench (every \(Int(LiveSubscribers.collectionInterval / .milliseconds(1))) ms) p50 / p99",
            "\(BenchReport.milliseconds(read.p50)) / \(BenchReport.milliseconds(read.p99))")
    }

    #if canImport(Glibc)
    /// The same live measurement against `FanOutFloor`, a stand-in that only writes: what the
    /// machine's loopback TCP and cores allow right now, to read the row above against.
    func fanOutFloor(_ options: BenchOptions) async throws -> LiveLatencies {
        let floor = try FanOutFloor()
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let accepting = Task { try await NewThread.run { try floor.accept(count: options.subscribers) } }
        defer { accepting.cancel() }
        let subscribers = LiveSubscribers(
            nodes: [try RawHTTPLoad(baseURL: floor.baseURL, token: nil)], path: "/floor", after: 0, count: options.subscribers, threads: threads)
        return try await subscribers.measure(expected: options.liveEvents, timeout: options.liveInterval * options.liveEvents + .seconds(60)) {
            try await accepting.value
            try await floor.send(rounds: options.liveEvents, every: options.liveInterval, threads: threads, payload: Self.payload)
        }
    }
    #endif

    /// Waits (at most a minute) until every processor's lag is zero.
    func waitForProcessorsToCatchUp() async throws {
        let client = SpoolClient(baseURL: baseURL, token: token, httpClient: http)
        let deadline = ContinuousClock.now + .seconds(60)
        var lagging: [String] = []
        while ContinuousClock.now < deadline {
            let statuses = try await client.send(.GET, "/processors").arrayValue ?? []
            lagging = statuses.filter { ($0["lag"]?.intValue ?? 0) > 0 }.compactMap { $0["name"]?.stringValue }
            if lagging.isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Measuring while processors still fold the last phase's writes would measure both.
        throw BenchError("processors did not catch up within 60 s: \(lagging.joined(separator: ", "))")
    }

    // MARK: Catch-up read

    func catchUpRead(_ options: BenchOptions, into report: inout BenchReport) async throws {
        let path = runPrefix + "/catch-up"
        try await prepare([path])
        let batch = ByteBuffer(string: Self.appendBody(count: 1000))
        let batches = options.catchUpEvents / 1000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for _ in stride(from: writer, to: batches, by: 4) { try await post(path, batch) }
                }
            }
            try await group.waitForAll()
        }
        // Measure the read, not the read racing the built-in processors that are still folding the writes.
        try await waitForProcessorsToCatchUp()
        let before = serverRSS
        var peak = 0
        let start = ContinuousClock.now
        var cursor = 0
        var total = 0
        while true {
            var request = HTTPClientRequest(url: baseURL + "/streams" + path + "?format=ndjson&limit=10000&after=\(cursor)")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await http.execute(request, timeout: .seconds(120))
            var lines = 0
            for try await chunk in response.body {
                lines += chunk.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            if let rss = serverRSS { peak = max(peak, rss) }
            total += lines
            cursor += lines
            if lines < 10_000 { break }
        }
        let seconds = Self.seconds(ContinuousClock.now - start)
        report.add("catch-up read, \(total.formatted()) events as NDJSON", BenchReport.rate(total, seconds: seconds), target: "≥ 500,000 events/s")
        report.add(
            "server RSS before → peak during catch-up",
            "\(BenchReport.megabytes(before)) → \(BenchReport.megabytes(peak == 0 ? nil : peak))",
            target: "flat")
    }
}
