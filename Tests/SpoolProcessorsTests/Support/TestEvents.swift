import SpoolCore
import Testing

extension Timestamp {
    /// A timestamp from ISO 8601 text in a test; malformed text is a test bug.
    static func utc(_ text: String) -> Timestamp {
        guard let timestamp = Timestamp(iso8601: text) else { preconditionFailure("bad test time \(text)") }
        return timestamp
    }

    func adding(_ milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
}

/// Builds stored events for feeding processors directly.
enum TestEvents {
    static let path = streamPath("/tests/stream")

    static func streamPath(_ text: String) -> StreamPath {
        do { return try StreamPath(text) } catch { preconditionFailure("bad test path \(text)") }
    }

    static func event(
        _ type: String, _ payload: JSONValue = .emptyObject, metadata: JSONValue? = nil,
        offset: Int = 1, at createdAt: Timestamp = .utc("2026-03-10T10:00:00Z"), path: StreamPath = path
    ) -> Event {
        Event(
            streamPath: path, offset: offset, position: offset, type: type, payloadJSON: payload.jsonString,
            metadataJSON: metadata?.jsonString, createdAt: createdAt)
    }
}

/// Folds events into a processor's state, as the runtime would.
func fold<Processor: StreamProcessor>(_ processor: Processor, _ events: [Event]) -> Processor.State {
    var state = processor.initialState
    for event in events { processor.reduce(into: &state, event: event) }
    return state
}

/// A payload a parser must refuse, and part of the message it must give.
struct BadPayload: Sendable, CustomTestStringConvertible {
    let payload: JSONValue
    let message: String

    init(_ payload: JSONValue, _ message: String) {
        self.payload = payload
        self.message = message
    }

    var testDescription: String { payload.jsonString }
}
