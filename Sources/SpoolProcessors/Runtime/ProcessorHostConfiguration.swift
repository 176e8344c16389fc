import SpoolCore

/// How the processor host runs processors.
public struct ProcessorHostConfiguration: Sendable {
    /// Streams handled concurrently per processor (events of one stream are always in order).
    public var lanes = 16
    /// Events read from the feed but not yet handled, per processor.
    public var maximumInFlight = 4096
    /// How often checkpoints and snapshots are saved.
    public var flushInterval: Duration = .milliseconds(200)
    /// A stream's snapshot is saved after this many new events.
    public var snapshotInterval = 100
    /// Attempts and waits for a failing `afterAppend` before `spool/processor-failed`.
    public var retry = Reaction.defaultRetry
    /// Stream states kept in memory per lane before they are written out and dropped.
    public var maximumCachedStreams = 10_000
    /// On a store shared by several nodes, how long a node's claim to run a processor
    /// lasts without renewal: the longest a dead node's processors wait for another node.
    public var leaseDuration: Duration = .seconds(10)
    /// When a processor stops (a graceful shutdown, a worker replaced), how long the
    /// `afterAppend` calls under way may go on before they are cancelled. Events not yet
    /// handled are not started: the checkpoint stays before them and the next start
    /// handles them, so a backlog (a webhook receiver that is down) does not hold up a shutdown.
    /// The agent runtime gives its LLM requests and tools the same grace.
    public var shutdownGrace: Duration = .seconds(2)

    public init() {}
}
