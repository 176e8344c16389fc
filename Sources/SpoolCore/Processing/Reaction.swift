/// Calling `afterAppend` the way the contract says, wherever a processor runs (in the server,
/// or remotely over HTTP): retried with backoff, each attempt with a fresh context (so a retry
/// replays what a failed attempt appended instead of storing it again), and a final failure
/// recorded as `spool/processor-failed {processor, sourceOffset, error}` on the event's stream.
public enum Reaction {
    public static let failedType = "spool/processor-failed"

    /// How often `afterAppend` is tried before its failure is recorded, unless a runner is told otherwise.
    public static let defaultRetry = RetryPolicy(attempts: 4, initialDelay: .milliseconds(100))

    /// How `afterAppend` on one event ended.
    public enum Outcome: Sendable {
        case handled
        /// The stream was paused under it: not the processor's failure.
        case streamPaused
        /// Every attempt failed; the last error.
        case failed(any Error)
    }

    /// Whether `event` is `processor`'s own failure record, which it must not react to:
    /// failing on it would record another, for ever.
    public static func isOwnFailure(_ event: Event, processor: String) -> Bool {
        event.type == failedType && event.payload["processor"]?.stringValue == processor
    }

    /// Calls `processor.afterAppend` until it succeeds or `retry` runs out.
    /// - Parameters:
    ///   - keyName: the name its appends' idempotency keys derive from.
    ///   - append: appends inputs to a stream (the store, or a remote server).
    public static func attempt<Processor: StreamProcessor>(
        _ processor: Processor, event: Event, state: Processor.State, keyName: String, retry: RetryPolicy,
        append: @escaping @Sendable ([AppendInput], StreamPath) async throws -> [Event]
    ) async throws -> Outcome {
        var lastError: any Error = SpoolError(.internalError, "no attempt made")
        for attempt in 0..<retry.attempts {
            let context = ProcessorContext(processorName: keyName, source: event, appender: append)
            do {
                try await processor.afterAppend(event: event, state: state, context: context)
                return .handled
            } catch let error as SpoolError where error.code == .streamPaused {
                return .streamPaused
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // An attempt cut short by cancellation (a shutdown) is not the processor's failure:
                // the event is handled again after the next start.
                try Task.checkCancellation()
                lastError = error
                if let delay = retry.delay(afterFailure: attempt + 1) { try await Task.sleep(for: delay) }
            }
        }
        return .failed(lastError)
    }

    /// The record of `processor` failing for good on `event`, keyed so it is stored once.
    public static func failureRecord(processor: String, event: Event, error: any Error) throws -> AppendInput {
        try failure(
            processor: processor, event: event, message: String(describing: error),
            idempotencyKey: ProcessorContext.idempotencyKey(processor: processor + ":failed", source: event, ordinal: 0))
    }

    /// `spool/processor-failed {processor, sourceOffset, error}`: what every failure record says.
    /// Without a key, a processor's context derives one (a configuration it refuses, say).
    public static func failure(processor: String, event: Event, message: String, idempotencyKey: String? = nil) throws -> AppendInput {
        try AppendInput(
            type: failedType,
            payload: ["processor": .string(processor), "sourceOffset": .int(Int64(event.offset)), "error": .string(message)],
            idempotencyKey: idempotencyKey)
    }
}
