import SpoolCore
import SpoolStore

/// Encodes events into the bytes of one read format, page by page.
///
/// Pure: the same events give the same bytes, so framing is tested without I/O.
struct EventEncoder: Sendable {
    let format: ReadFormat
    /// Which number goes in the SSE `id:` line: the offset for streams, the position for feeds.
    let sseID: LiveTail.CursorKey

    /// Bytes that open a response (the `[` of a JSON array).
    var opening: [UInt8] { format == .json ? [UInt8(ascii: "[")] : [] }
    /// Bytes that close a response.
    var closing: [UInt8] { format == .json ? Array("]\n".utf8) : [] }

    /// Encodes `events`; `isFirst` tells whether anything was written before (JSON commas, YAML separators).
    func encode(_ events: [Event], isFirst: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(events.count * 256)
        var memo = JSONWriteMemo()
        for (index, event) in events.enumerated() {
            let first = isFirst && index == 0
            switch format {
            case .json:
                if !first { output.append(UInt8(ascii: ",")) }
                event.writeJSON(to: &output, memo: &memo)
            case .ndjson:
                event.writeJSON(to: &output, memo: &memo)
                output.append(UInt8(ascii: "\n"))
            case .yaml:
                output.append(contentsOf: "---\n".utf8)
                output.append(contentsOf: event.envelope.yamlString.utf8)
            case .sse:
                output.append(contentsOf: "id: ".utf8)
                output.append(contentsOf: String(sseID.of(event)).utf8)
                output.append(contentsOf: "\ndata: ".utf8)
                event.writeJSON(to: &output, memo: &memo)
                output.append(contentsOf: "\n\n".utf8)
            }
        }
        return output
    }

    /// What an idle live response sends so proxies and clients know it is alive.
    var keepAlive: [UInt8] {
        switch format {
        case .sse: return Array(": keep-alive\n\n".utf8)
        case .ndjson: return [UInt8(ascii: "\n")]
        case .json, .yaml: return []
        }
    }
}
