import SpoolCore

/// What one append request turns into, decided from the stream's state alone,
/// before anything is written: every backend plans the same way, so the rules
/// for idempotency keys, expected offsets and paused streams live here once.
///
/// A request that breaks a rule throws while planning, so it writes nothing.
///
/// ```swift
/// let plan = try AppendPlan(inputs, head: 3, paused: false) { key in storedEvents[key] }
/// let (stored, answer) = plan.events(path: path, firstPosition: 42, now: .now())
/// ```
public struct AppendPlan: Sendable {
    /// What one input turns into.
    public enum Step: Sendable {
        case store(AppendInput)
        /// Its idempotency key was stored before with the same content: answer with the original.
        case replay(Event)
        /// Repeats the idempotency key of the input at this index of the same request.
        case sameAs(Int)
    }

    public private(set) var steps: [Step] = []
    /// The stream's head offset before the request.
    public let headBefore: Int
    /// The stream's head offset once the request is stored.
    public private(set) var headAfter: Int
    /// Whether the stream is paused once the request is stored.
    public private(set) var pausedAfter: Bool

    /// How many events the request stores.
    public var storedCount: Int { headAfter - headBefore }

    /// Plans `inputs` for a stream at `head` (0 when it has no events).
    /// - Parameter storedEvent: the event stored earlier with an idempotency key, if any.
    /// - Throws: `idempotency_conflict`, `offset_conflict` or `stream_paused`.
    public init(
        _ inputs: [AppendInput], to path: StreamPath, head: Int, paused: Bool,
        storedEvent: (String) throws -> Event?
    ) throws {
        headBefore = head
        headAfter = head
        pausedAfter = paused
        var keysInRequest: [ExactText: Int] = [:]
        for (index, input) in inputs.enumerated() {
            if let key = input.idempotencyKey {
                if let earlier = keysInRequest[ExactText(key)] {
                    guard ExactText(inputs[earlier].type) == ExactText(input.type), inputs[earlier].payload == input.payload else {
                        throw Self.idempotencyConflict(key)
                    }
                    steps.append(.sameAs(earlier))
                    continue
                }
                keysInRequest[ExactText(key)] = index
                if let original = try storedEvent(key) {
                    guard ExactText(original.type) == ExactText(input.type), original.payload == input.payload else {
                        throw Self.idempotencyConflict(key)
                    }
                    steps.append(.replay(original))
                    continue
                }
            }
            if let expected = input.expectedOffset, expected != headAfter {
                // `headOffset` is the stream's head, which nothing in this request moved:
                // a client retrying from it must not meet the batch's own earlier events.
                let within = headAfter == head ? "" : " (event \(index + 1) of the batch, after its earlier events)"
                throw SpoolError(
                    .offsetConflict, "expected head offset \(expected) but the stream is at \(headAfter)\(within)",
                    details: ["headOffset": .int(Int64(head))])
            }
            if pausedAfter && input.type != StreamPause.resumedType {
                throw SpoolError(
                    .streamPaused, "stream \(path) is paused; append \(StreamPause.resumedType) to resume it",
                    details: ["headOffset": .int(Int64(head))])
            }
            pausedAfter = StreamPause.isPaused(after: input.type, wasPaused: pausedAfter)
            steps.append(.store(input))
            headAfter += 1
        }
    }

    /// The events this plan stores, with consecutive offsets after `headBefore` and
    /// positions from `firstPosition`, and the answer to the request (one event per
    /// input, in input order).
    public func events(path: StreamPath, firstPosition: Int, now: Timestamp) -> (stored: [Event], answer: [Event]) {
        var stored: [Event] = []
        var answer: [Event] = []
        stored.reserveCapacity(storedCount)
        answer.reserveCapacity(steps.count)
        for step in steps {
            switch step {
            case .store(let input):
                let event = Event(
                    streamPath: path, offset: headBefore + stored.count + 1, position: firstPosition + stored.count,
                    type: input.type, payloadJSON: input.payloadJSON, metadataJSON: input.metadataJSON,
                    idempotencyKey: input.idempotencyKey, createdAt: now)
                stored.append(event)
                answer.append(event)
            case .replay(let original): answer.append(original)
            case .sameAs(let earlier): answer.append(answer[earlier])
            }
        }
        return (stored, answer)
    }

    private static func idempotencyConflict(_ key: String) -> SpoolError {
        SpoolError(
            .idempotencyConflict,
            "idempotency key '\(key)' was already used with a different type or payload",
            details: ["idempotencyKey": .string(key)])
    }
}
