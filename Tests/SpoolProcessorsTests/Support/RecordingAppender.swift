import SpoolCore
import Synchronization

/// Stands in for the store behind a `ProcessorContext`: records what a
/// processor appends, or refuses with `failure`.
final class RecordingAppender: Sendable {
    struct Append: Sendable {
        var input: AppendInput
        var path: StreamPath
    }

    private let recorded = Mutex<[Append]>([])
    private let failure: SpoolError?

    init(failing failure: SpoolError? = nil) {
        self.failure = failure
    }

    var appends: [Append] { recorded.withLock { $0 } }
    var inputs: [AppendInput] { appends.map(\.input) }

    /// A context for `processor` handling `source`, appending here.
    func context(processor: String, source: Event) -> ProcessorContext {
        ProcessorContext(processorName: processor, source: source) { inputs, path in
            if let failure = self.failure { throw failure }
            return self.recorded.withLock { recorded in
                inputs.map { input in
                    recorded.append(Append(input: input, path: path))
                    return Event(
                        streamPath: path, offset: 1000 + recorded.count, position: 1000 + recorded.count,
                        type: input.type, payloadJSON: input.payload.jsonString,
                        metadataJSON: input.metadata?.jsonString, idempotencyKey: input.idempotencyKey,
                        createdAt: source.createdAt)
                }
            }
        }
    }
}
