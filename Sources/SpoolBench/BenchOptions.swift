/// How much load each benchmark generates. Defaults match the targets in the issues.
public struct BenchOptions: Sendable {
    public var sequentialAppends = 2000
    public var concurrentClients = 64
    public var singleEventsPerClient = 500
    public var batchesPerClient = 20
    public var batchSize = 100
    public var subscribers = 1000
    public var liveEvents = 200
    public var liveInterval: Duration = .milliseconds(20)
    public var catchUpEvents = 1_000_000
    /// Which measurements to run.
    public var phases: Set<Phase> = Set(Phase.allCases)

    public enum Phase: String, CaseIterable, Sendable {
        case latency, throughput, live, catchUp = "catch-up"
    }

    public init() {}

    /// A small run for smoke tests.
    public static var quick: BenchOptions {
        var options = BenchOptions()
        options.sequentialAppends = 200
        options.concurrentClients = 8
        options.singleEventsPerClient = 50
        options.batchesPerClient = 2
        options.subscribers = 20
        options.liveEvents = 20
        options.catchUpEvents = 20_000
        return options
    }
}
