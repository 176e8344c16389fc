import Hummingbird
import SpoolCore

/// How a read answers: chosen by `format=` or else the `Accept` header.
enum ReadFormat: String, Sendable {
    case json, ndjson, yaml, sse

    init(request: Request) throws(SpoolError) {
        if let name = request.uri.queryParameters.get("format") {
            guard let format = ReadFormat(rawValue: name.lowercased()) else {
                throw SpoolError(.invalidRequest, "unknown format '\(name)'; use json, ndjson, yaml or sse")
            }
            self = format
            return
        }
        let accept = request.headers[.accept]?.lowercased() ?? ""
        if accept.contains("text/event-stream") {
            self = .sse
        } else if accept.contains("application/x-ndjson") || accept.contains("application/jsonl") {
            self = .ndjson
        } else if accept.contains("yaml") {
            self = .yaml
        } else {
            self = .json
        }
    }

    var contentType: String {
        switch self {
        case .json: return "application/json"
        case .ndjson: return "application/x-ndjson"
        case .yaml: return "application/yaml; charset=utf-8"
        case .sse: return "text/event-stream"
        }
    }
}
