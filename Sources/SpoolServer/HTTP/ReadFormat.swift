import Foundation
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
        self = request.headers[.accept].map(Self.preferred(accept:)) ?? .json
    }

    /// The format `accept` (an `Accept` header) prefers: the highest `q` among the media
    /// types we serve, the first listed on a tie; JSON when it names none of them.
    static func preferred(accept: String) -> ReadFormat {
        var best: (format: ReadFormat, quality: Double)?
        for range in accept.lowercased().split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let mediaType = parts.first, let format = Self.mediaTypes[mediaType] else { continue }
            let quality = parts.dropFirst().lazy.compactMap { parameter -> Double? in
                guard parameter.hasPrefix("q=") else { return nil }
                return Double(parameter.dropFirst(2))
            }.first ?? 1
            if quality > 0, quality > best?.quality ?? 0 { best = (format, quality) }
        }
        return best?.format ?? .json
    }

    /// The media types each format answers to; `*/*` and `application/*` mean JSON.
    static let mediaTypes: [String: ReadFormat] = [
        "application/json": .json, "application/*": .json, "*/*": .json,
        "application/x-ndjson": .ndjson, "application/ndjson": .ndjson, "application/jsonl": .ndjson,
        "application/yaml": .yaml, "application/x-yaml": .yaml, "text/yaml": .yaml,
        "text/event-stream": .sse,
    ]

    var contentType: String {
        switch self {
        case .json: return "application/json"
        case .ndjson: return "application/x-ndjson"
        case .yaml: return "application/yaml; charset=utf-8"
        case .sse: return "text/event-stream"
        }
    }
}
