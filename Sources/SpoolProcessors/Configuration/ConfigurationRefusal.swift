import SpoolCore

/// What a built-in processor does with a configuration event it cannot use (a schedule
/// without a name, a subscription to a URL that is not one, a limit of 0): the event is
/// stored (there are no before-hooks) but changes nothing, and the processor says why with
/// `spool/processor-failed {processor, sourceOffset, error}` on the same stream.
enum ConfigurationRefusal {
    static func report(_ error: SpoolError, on event: Event, processor: String, context: ProcessorContext) async throws {
        let input = try Reaction.failure(
            processor: processor, event: event,
            message: "\(event.type) refused: \(error.message); the configuration before it still applies")
        do {
            try await context.append(input)
        } catch let error as SpoolError where error.code == .streamPaused {
            // A paused stream takes no report; the refusal changed nothing either way.
        }
    }
}
