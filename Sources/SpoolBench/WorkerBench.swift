import Foundation
import Logging
import ServiceLifecycle
import SpoolCore
import SpoolProcessors
import SpoolStore
import SpoolTesting

/// `spool bench workers`: how fast a JavaScript reducer folds, and how soon a
/// worker deployed on a long stream is ready.
public struct WorkerBench: Sendable {
    public var events = 100_000

    public init() {}

    public static var quick: WorkerBench {
        var bench = WorkerBench()
        bench.events = 10_000
        return bench
    }

    static let counter = """
        export default {
          initialState: {},
          reduce(state, event) { state[event.type] = (state[event.type] || 0) + 1; return state; }
        }
        """

    public func run(progress: @Sendable (String) -> Void) async throws -> BenchReport {
        var report = BenchReport()
        let directory = TestServer.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "spool-bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try SQLiteEventStore(directory: directory, logger: logger)
        let path = try StreamPath("/bench/workers")
        progress("appending \(events) events…")
        let batch = try (0..<1000).map { index in
            try AppendInput(type: "bench/kind-\(index % 4)", payload: ["data": .string(String(repeating: "x", count: 180))])
        }
        for _ in 0..<max(1, events / 1000) { _ = try await store.append(batch, to: path) }

        let manager = WorkerManager(logger: logger)
        let workers = Workers(manager: manager)
        let host = ProcessorHost(store: store, processors: [workers], logger: logger)
        manager.attach(host)
        let group = ServiceGroup(configuration: .init(services: [store, host], gracefulShutdownSignals: [], logger: logger))
        let clock = ContinuousClock()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // A running server's `workers` processor is caught up; so is this one before the deploy.
            let head = try await store.headPosition()
            while try await host.statuses().first?.checkpoint ?? 0 < head { try await Task.sleep(for: .milliseconds(10)) }
            progress("deploying a worker on the \(events)-event stream…")
            let started = clock.now
            _ = try await store.append(
                AppendInput(type: "spool/worker-configured", payload: ["name": "counter", "source": .string(Self.counter)]), to: path)
            while !host.isRunning("worker:counter") { try await Task.sleep(for: .milliseconds(1)) }
            let (_, state) = try await host.state(processor: "worker:counter", stream: path)
            let ready = clock.now - started
            let counted = state.objectValue?.members.reduce(0) { $0 + Int($1.value.intValue ?? 0) } ?? 0
            report.add(
                "deploy on a \(events.formatted())-event stream: ready (state folded)", BenchReport.milliseconds(Self.nanoseconds(ready)),
                target: "≤ 1 s for 100,000")
            let fold = try await clock.measure { _ = try await host.state(processor: "worker:counter", stream: path) }
            report.add(
                "fold \(counted.formatted()) events with a JS reducer counting by type",
                BenchReport.rate(counted, seconds: Self.nanoseconds(fold) / 1e9), target: "≥ 300,000 events/s")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return report
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
}
