import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolClient
import SpoolCore
import Synchronization

/// Generates load against a running server and measures it from the outside.
public struct BenchRunner: Sendable {
    let baseURL: String
    let token: String?
    let http: HTTPClient
    /// The server's process id, when known, for memory readings.
    let serverPID: Int32?

    public init(baseURL: String, token: String?, http: HTTPClient, serverPID: Int32?) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
        self.serverPID = serverPID
    }

    /// A client with enough connections for every subscriber and appender.
    public static func makeHTTPClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    var serverRSS: Int? { serverPID.flatMap(BenchServerProcess.residentBytes(pid:)) }

    /// Runs every benchmark in turn, reporting progress lines.
    public func run(_ options: BenchOptions, progress: @Sendable (String) -> Void) async throws -> BenchReport {
        var report = BenchReport()
        report.add("idle server RSS", BenchReport.megabytes(serverRSS), target: "≤ 50 MB")
        progress("sequential appends…")
        try await sequentialAppends(options, into: &report)
        progress("concurrent single appends…")
        try await concurrentAppends(options, batchSize: 1, into: &report)
        progress("concurrent batch appends…")
        try await concurrentAppends(options, batchSize: options.batchSize, into: &report)
        progress("live delivery to \(options.subscribers) subscribers…")
        try await liveDelivery(options, into: &report)
        progress("catch-up read of \(options.catchUpEvents) events…")
        try await catchUpRead(options, into: &report)
        return report
    }

    // MARK: Appends

    static let payload = String(repeating: "x", count: 188)

    func appendBody(count: Int, extra: String = "") -> ByteBuffer {
        let one = #"{"type":"bench/event","payload":{"data":"\#(Self.payload)"\#(extra)}}"#
        return ByteBuffer(string: count == 1 ? one : "[" + Array(repeating: one, count: count).joined(separator: ",") + "]")
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
        let body = appendBody(count: 1)
        for _ in 0..<50 { try await post("/bench/sequential", body) }
        var samples: [Double] = []
        samples.reserveCapacity(options.sequentialAppends)
        let clock = ContinuousClock()
        for _ in 0..<options.sequentialAppends {
            let elapsed = try await clock.measure { try await post("/bench/sequential", body) }
            samples.append(Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9)
        }
        let stats = Percentiles(samples)
        report.add("append latency p50 (1 client)", BenchReport.milliseconds(stats.p50), target: "≤ 1 ms")
        report.add("append latency p99 (1 client)", BenchReport.milliseconds(stats.p99), target: "≤ 5 ms")
    }

    func concurrentAppends(_ options: BenchOptions, batchSize: Int, into report: inout BenchReport) async throws {
        let body = appendBody(count: batchSize)
        let requestsPerClient = batchSize == 1 ? options.singleEventsPerClient : options.batchesPerClient
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<options.concurrentClients {
                group.addTask {
                    for _ in 0..<requestsPerClient { try await post("/bench/concurrent/\(batchSize)/\(client % 16)", body) }
                }
            }
            try await group.waitForAll()
        }
        let seconds = Self.seconds(ContinuousClock.now - start)
        let events = options.concurrentClients * requestsPerClient * batchSize
        if batchSize == 1 {
            report.add("append throughput, \(options.concurrentClients) clients, single", BenchReport.rate(events, seconds: seconds), target: "≥ 20,000 events/s")
        } else {
            report.add("append throughput, \(options.concurrentClients) clients, batches of \(batchSize)", BenchReport.rate(events, seconds: seconds), target: "≥ 200,000 events/s")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Live delivery

    func liveDelivery(_ options: BenchOptions, into report: inout BenchReport) async throws {
        let path = "/bench/live"
        try await post(path, appendBody(count: 1))
        let connected = Counter()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<options.subscribers {
                group.addTask {
                    try await subscribe(path, expecting: options.liveEvents) { connected.increment() }
                }
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while connected.value < options.subscribers {
                guard ContinuousClock.now < deadline else { throw BenchError("subscribers did not connect in time") }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .milliseconds(500))
            report.add("server RSS, \(options.subscribers) idle SSE subscribers", BenchReport.megabytes(serverRSS), target: "≤ 150 MB")
            for _ in 0..<options.liveEvents {
                let sent = DispatchTime.now().uptimeNanoseconds
                try await post(path, appendBody(count: 1, extra: #","sentAt":\#(sent)"#))
                try await Task.sleep(for: options.liveInterval)
            }
            var all: [Double] = []
            for try await samples in group { all.append(contentsOf: samples) }
            return all
        }
        let stats = Percentiles(latencies)
        let expected = options.subscribers * options.liveEvents
        report.add("live delivery p50 (\(options.subscribers) subscribers)", BenchReport.milliseconds(stats.p50))
        report.add("live delivery p99 (\(options.subscribers) subscribers)", BenchReport.milliseconds(stats.p99), target: "≤ 10 ms")
        report.add("live events delivered", "\(stats.count) of \(expected)", target: "all")
    }

    /// Follows `path` from its head; returns append→receive latencies (ns) of `count` events.
    func subscribe(_ path: String, expecting count: Int, onConnected: @Sendable () -> Void) async throws -> [Double] {
        var request = HTTPClientRequest(url: baseURL + "/streams" + path + "?live=true&after=1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await http.execute(request, timeout: .seconds(120))
        var decoder = SSEDecoder()
        var samples: [Double] = []
        var announced = false
        for try await chunk in response.body {
            if !announced {
                announced = true
                onConnected()
            }
            for message in decoder.feed(chunk.readableBytesView) {
                let received = DispatchTime.now().uptimeNanoseconds
                guard let sent = (try? JSONValue.parse(message.data))?["payload"]?["sentAt"]?.intValue else { continue }
                samples.append(Double(received &- UInt64(sent)))
                if samples.count == count { return samples }
            }
        }
        return samples
    }

    // MARK: Catch-up read

    func catchUpRead(_ options: BenchOptions, into report: inout BenchReport) async throws {
        let path = "/bench/catch-up"
        let batch = appendBody(count: 1000)
        let batches = options.catchUpEvents / 1000
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for _ in stride(from: writer, to: batches, by: 4) { try await post(path, batch) }
                }
            }
            try await group.waitForAll()
        }
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

/// A thread-safe count, for progress shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
