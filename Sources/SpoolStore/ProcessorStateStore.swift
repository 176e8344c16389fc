import SpoolCore

/// Durable progress of stream consumers: feed checkpoints (for in-process and
/// remote processors) and per-stream state snapshots.
public protocol ProcessorStateStore: Sendable {
    /// The feed position a consumer has fully handled; 0 when it never saved one.
    func checkpoint(for consumer: String) async throws -> Int

    /// Saves a consumer's position.
    func saveCheckpoint(_ position: Int, for consumer: String) async throws

    /// The latest snapshot of a processor's state of one stream.
    func snapshot(processor: String, stream: StreamPath) async throws -> StateSnapshot?

    /// Every snapshot of a processor (to rebuild all its streams' states at start).
    func snapshots(processor: String) async throws -> [StateSnapshot]

    /// Saves snapshots and the checkpoint together, atomically.
    func saveProgress(processor: String, snapshots: [StateSnapshot], checkpoint: Int?) async throws
}

/// The checkpoints of the server's own processors: `processor:NAME`, which `saveProgress`
/// writes and which no remote consumer may move.
public enum ProcessorCheckpoint {
    public static let prefix = "processor:"

    /// The consumer name of processor `name`'s checkpoint.
    public static func consumer(of name: String) -> String { prefix + name }
}

/// A processor's state of a stream as of an offset, as JSON text.
public struct StateSnapshot: Sendable, Equatable {
    public var stream: StreamPath
    public var offset: Int
    public var stateJSON: String

    public init(stream: StreamPath, offset: Int, stateJSON: String) {
        self.stream = stream
        self.offset = offset
        self.stateJSON = stateJSON
    }
}
