import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SpoolClient
import SpoolCore
import SpoolProcessors
import SpoolServer
import SpoolStore
import SpoolTesting
import Synchronization

/// `spool bench processors`: replay speed, processor lag under load, circuit-breaker reaction.
public struct ProcessorBench: Sendable {
    public var replayEvents = 1_000_000
    public var lagSeconds = 5.0
    public var lagClients = 64
    public var breakerTrials = 5

    public init() {}

    public static var quick: ProcessorBench {
        var bench = ProcessorBench()
        bench.replayEvents = 20_000
        bench.lagSeconds = 1
        bench.lagClients = 8
        bench.breakerTrials = 2
        return bench
    }

    public func run(progress: @Sendable (String) -> Void) async throws -> BenchReport {
        var report = BenchReport()
        progress("replay of \(replayEvents) events…")
        try await replay(into: &report)
        progress("processor lag with \(lagClients) appending clients…")
        try await lag(into: &report)
        progress("circuit breaker against a runaway loop…")
        try await breaker(into: &report)
        return report
    }

    // MARK: Replay

    /// Counts events by type: the "small Swift reducer".
    struct TypeCounter: StreamProcessor {
        let name = "bench-type-counter"
        let streams: StreamPattern = "/bench/**"
        let initialState: [String: Int] = [:]
        func reduce(into state: inout [String: Int], event: Event) { state[event.type, default: 0] += 1 }
    }

    func replay(into report: inout BenchReport) async throws {
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "spool-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try SQLiteEventStore(directory: directory, logger: logger)
        let path = try StreamPath("/bench/replay")
        let batch = try (0..<1000).map { index in
            try AppendInput(type: "bench/kind-\(index % 4)", payload: ["data": .string(String(repeating: "x", count: 180))])
        }
        for _ in 0..<(replayEvents / 1000) { _ = try await store.append(batch, to: path) }

        // A fresh fold: the processor has never run, so there is no snapshot.
        let cold = ProcessorHost(store: store, processors: [TypeCounter()], logger: logger)
        let clock = ContinuousClock()
        let full = try await clock.measure { _ = try await cold.state(processor: "bench-type-counter", stream: path) }
        report.add(
            "replay: fold \(replayEvents.formatted()) events (Swift reducer)",
            BenchReport.rate(replayEvents, seconds: BenchRunner.seconds(full)), target: "≥ 2,000,000 events/s")

        // Let the processor run to the head, saving snapshots, then refold from the snapshot.
        let host = ProcessorHost(store: store, processors: [TypeCounter()], logger: logger)
        let group = ServiceGroup(configuration: .init(services: [store, host], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let head = try await store.headPosition()
            while try await host.statuses().first?.checkpoint ?? 0 < head { try await Task.sleep(for: .milliseconds(50)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let reopened = try SQLiteEventStore(directory: directory, logger: logger)
        for _ in 0..<3 { _ = try await reopened.append(AppendInput(type: "bench/tail"), to: path) }
        let warm = ProcessorHost(store: reopened, processors: [TypeCounter()], logger: logger)
        let tail = try await clock.measure { _ = try await warm.state(processor: "bench-type-counter", stream: path) }
        report.add("replay after restart: state at head from snapshot", BenchReport.milliseconds(Double(tail.components.attoseconds) / 1e9 + Double(tail.components.seconds) * 1e9), target: "tail only")
    }

    // MARK: Lag

    /// Records, for each event, wall-clock time from commit to `afterAppend`.
    struct LatencyProbe: StreamProcessor {
        let name = "bench-latency-probe"
        let streams: StreamPattern = "/bench/**"
        let initialState = 0
        let samples: SampleLog
        func reduce(into state: inout Int, event: Event) {}
        func afterAppend(event: Event, state: Int, context: ProcessorContext) async throws {
            samples.add(Double(Timestamp.now().millisecondsSinceEpoch - event.createdAt.millisecondsSinceEpoch))
        }
    }

    final class SampleLog: Sendable {
        private let values = Mutex<[Double]>([])
        func add(_ value: Double) { values.withLock { $0.append(value) } }
        var all: [Double] { values.withLock { $0 } }
    }

    func lag(into report: inout BenchReport) async throws {
        let samples = SampleLog()
        let (appended, maxLag) = try await TestServer.with(processors: [LatencyProbe(samples: samples)]) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let load = try RawHTTPLoad(baseURL: server.baseURL, token: nil)
            let body = PostBody.same(Array(BenchRunner.appendBody(count: 1).utf8))
            let deadline = ContinuousClock.now + .milliseconds(Int64(lagSeconds * 1000))
            let sent = Counter()
            let maximum = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<lagClients {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            _ = try await load.post("/bench/lag/\(client % 16)", count: 50, body: body)
                            for _ in 0..<50 { sent.increment() }
                        }
                    }
                }
                group.addTask {
                    while ContinuousClock.now < deadline {
                        let statuses = try await client.send(.GET, "/processors").arrayValue ?? []
                        let lag = statuses.first { $0["name"] == "bench-latency-probe" }?["lag"]?.intValue ?? 0
                        maximum.raise(to: Int(lag))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try await group.waitForAll()
            }
            // Let the processor drain before reading the samples.
            let total = sent.value
            let drainDeadline = ContinuousClock.now + .seconds(30)
            while samples.all.count < total, ContinuousClock.now < drainDeadline { try await Task.sleep(for: .milliseconds(50)) }
            return (total, maximum.value)
        }
        let stats = Percentiles(samples.all)
        report.add("processor lag: events appended by \(lagClients) clients", "\(appended.formatted()) (\(stats.count.formatted()) handled)", target: "all handled")
        report.add("append → afterAppend p50", String(format: "%.0f ms", stats.p50))
        report.add("append → afterAppend p99", String(format: "%.0f ms", stats.p99), target: "≤ 20 ms")
        report.add("largest lag seen (events behind head)", maxLag.formatted(), target: "bounded")
    }

    // MARK: Circuit breaker

    func breaker(into report: inout BenchReport) async throws {
        let overshoots = try await TestServer.with(
            configure: { $0.circuitBreaker = CircuitBreakerLimit(maxEvents: 100, windowSeconds: 1) },
            processors: [Runaway()]
        ) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            var overshoots: [Int] = []
            for trial in 0..<breakerTrials {
                let path = try StreamPath("/loop/bench-\(trial)")
                let start = ContinuousClock.now
                try await client.append(AppendInput(type: "loop/tick"), to: path)
                while true {
                    let events = try await client.read(path, limit: 10_000)
                    if let pause = events.firstIndex(where: { $0.type == StreamPause.pausedType }) {
                        overshoots.append(pause)
                        break
                    }
                    guard ContinuousClock.now - start < .seconds(10) else { throw BenchError("the breaker did not trip") }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            return overshoots
        }
        let worst = overshoots.max() ?? 0
        report.add(
            "circuit breaker: events before pause (limit 100/s), worst of \(breakerTrials)",
            "\(worst) (+\(worst - 100)%)", target: "≤ 110 (+10%)")
    }
}
