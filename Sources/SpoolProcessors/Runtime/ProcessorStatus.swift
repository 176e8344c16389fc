import SpoolCore

/// What `GET /processors` shows of one processor.
public struct ProcessorStatus: Sendable {
    public var name: String
    /// What its checkpoint and snapshots are saved under: its name, or for a dynamic worker
    /// `worker:NAME@P` (P the feed position of the event that deployed this version), which
    /// tells apart workers of one name deployed on different streams.
    public var storageName: String
    public var streams: StreamPattern
    /// The feed position handled so far, as last saved (by the node running it).
    public var checkpoint: Int
    /// The store's newest position.
    public var headPosition: Int
    /// `afterAppend` calls that failed for good since start.
    public var failures: Int
    /// Whether it runs on this node now: always once started on a store of one node; on a
    /// store shared by several, only on the node holding its lease (elsewhere `failures`
    /// counts only what failed while it ran here).
    public var runsHere: Bool

    public var lag: Int { max(0, headPosition - checkpoint) }

    public var jsonValue: JSONValue {
        [
            "name": .string(name), "streams": .string(streams.rawValue), "checkpoint": .int(Int64(checkpoint)),
            "headPosition": .int(Int64(headPosition)), "lag": .int(Int64(lag)), "failures": .int(Int64(failures)),
            "runsHere": .bool(runsHere),
        ]
    }
}
