import SpoolClient
import SpoolCore

/// A provider's streaming wire format as a pure state machine: server-sent
/// events in, ``LLMStreamEvent``s out. No I/O, so each format is tested alone.
protocol StreamParser: Sendable {
    /// Handles one server-sent event and returns the events it completes;
    /// `.completed` ends the answer. Throws ``LLMError`` for a malformed
    /// event or an error the provider reports in the stream.
    mutating func consume(_ message: SSEDecoder.Message) throws -> [LLMStreamEvent]

    /// The body ended before `consume` returned `.completed`: returns the
    /// response the end implies, or throws ``LLMError`` for a truncated stream.
    mutating func finish() throws -> LLMResponse
}

extension StreamParser {
    /// The JSON of a data line, or an ``LLMError`` that shows where it broke.
    static func parseJSON(_ data: String, provider: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(data)
        } catch {
            let excerpt = data.count > 160 ? data.prefix(160) + "…" : Substring(data)
            throw LLMError(
                "\(provider): malformed stream: a data line is not valid JSON (\(error)): \(excerpt)", retryable: false)
        }
    }

    static func truncated(_ provider: String, expected: String) -> LLMError {
        LLMError("\(provider): malformed stream: the response ended before \(expected)", retryable: false)
    }
}

extension JSONValue {
    /// The member as an `Int`, when it is an integer.
    func int(_ key: String) -> Int? {
        self[key]?.intValue.map { Int(truncatingIfNeeded: $0) }
    }
}
