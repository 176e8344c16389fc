@testable import SpoolServer
import Testing

/// Content negotiation: the `Accept` header's preferences, `q` values included.
@Suite struct ReadFormatTests {
    @Test(arguments: [
        ("application/json", ReadFormat.json), ("*/*", .json), ("", .json), ("text/html", .json),
        ("application/x-ndjson", .ndjson), ("application/jsonl", .ndjson), ("application/yaml", .yaml),
        ("text/yaml", .yaml), ("text/event-stream", .sse), ("Text/Event-Stream", .sse),
        // The highest q wins, whatever the order; the first listed wins a tie.
        ("application/json, application/x-ndjson;q=0.1", .json),
        ("application/json;q=0.5, application/x-ndjson", .ndjson),
        ("application/json, text/event-stream", .json),
        ("text/event-stream, application/json", .sse),
        ("application/yaml; q=0.9, text/html, */*;q=0.8", .yaml),
        ("text/event-stream;q=0, application/yaml;q=0.2", .yaml),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", .json),
    ])
    func acceptPicksTheFormat(accept: String, format: ReadFormat) {
        #expect(ReadFormat.preferred(accept: accept) == format, "Accept: \(accept)")
    }
}
