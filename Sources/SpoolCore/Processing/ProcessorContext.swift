import Synchronization

/// What `afterAppend` may do: append events, with idempotency keys derived from
/// (processor, source stream, source offset, ordinal), so that handling the
/// same event again after a crash never appends anything twice.
public struct ProcessorContext: Sendable {
    /// The processor handling the event.
    public let processorName: String
    /// The event being handled.
    public let source: Event
    private let appender: @Sendable ([AppendInput], StreamPath) async throws -> [Event]
    private let ordinals = OrdinalCounter()

    /// - Parameter appender: appends inputs to a stream (the store or a remote server).
    public init(
        processorName: String, source: Event,
        appender: @escaping @Sendable (_ inputs: [AppendInput], _ path: StreamPath) async throws -> [Event]
    ) {
        self.processorName = processorName
        self.source = source
        self.appender = appender
    }

    /// Appends an event to `path` (default: the source event's stream).
    /// An input without an idempotency key gets the derived one.
    @discardableResult
    public func append(_ input: AppendInput, to path: StreamPath? = nil) async throws -> Event {
        try await append([input], to: path)[0]
    }

    /// Appends a batch atomically; each input without a key gets a derived one.
    @discardableResult
    public func append(_ inputs: [AppendInput], to path: StreamPath? = nil) async throws -> [Event] {
        var keyed = inputs
        for index in keyed.indices where keyed[index].idempotencyKey == nil {
            keyed[index].idempotencyKey = Self.idempotencyKey(
                processor: processorName, source: source, ordinal: ordinals.next())
        }
        return try await appender(keyed, path ?? source.streamPath)
    }

    /// `<processor>:<source path>@<offset>#<ordinal>`; the path part is hashed when the key would be too long.
    public static func idempotencyKey(processor: String, source: Event, ordinal: Int) -> String {
        let key = "\(processor):\(source.streamPath.rawValue)@\(source.offset)#\(ordinal)"
        if key.utf8.count <= AppendInput.maximumIdempotencyKeyLength { return key }
        let digest = StableHash.fnv1a64(source.streamPath.rawValue)
        return "\(processor.prefix(160)):\(String(digest, radix: 16))@\(source.offset)#\(ordinal)"
    }
}

/// Counts the appends of one `afterAppend` call.
final class OrdinalCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { value in defer { value += 1 }; return value } }
}

/// A hash that is the same on every run and machine (unlike `Hasher`).
public enum StableHash {
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
