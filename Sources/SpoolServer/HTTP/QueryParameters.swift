import Hummingbird
import NIOCore
import SpoolCore

extension Request {
    /// A non-negative integer query parameter, `fallback` when absent.
    func integerQuery(_ name: String, default fallback: Int, range: ClosedRange<Int> = 0...Int.max) throws(SpoolError) -> Int {
        guard let text = uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw SpoolError(
                .invalidRequest,
                "'\(name)' must be an integer in \(range.lowerBound)…\(range.upperBound == Int.max ? "" : String(range.upperBound)), got '\(text.prefix(40))'")
        }
        return value
    }

    /// A boolean query parameter: `true`/`1`/empty are true, `false`/`0` false.
    func booleanQuery(_ name: String) throws(SpoolError) -> Bool {
        guard let text = uri.queryParameters.get(name) else { return false }
        switch text.lowercased() {
        case "", "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw SpoolError(.invalidRequest, "'\(name)' must be true or false, got '\(text.prefix(40))'")
        }
    }

    /// The stream path after a route prefix such as `/streams`.
    func streamPath(after routePrefix: String) throws(SpoolError) -> StreamPath {
        // The router skips empty segments: `//streams/x` reaches here too, and must not become `/s/x`.
        guard uri.path.hasPrefix(routePrefix), uri.path.utf8.dropFirst(routePrefix.utf8.count).first.map({ $0 == UInt8(ascii: "/") }) ?? true else {
            throw SpoolError(.invalidPath, "the request path must begin with \(routePrefix)/, not \(uri.path.prefix(60))")
        }
        let raw = String(uri.path.dropFirst(routePrefix.count))
        // Badly encoded, it is kept as sent, and StreamPath names the bad segment.
        return try StreamPath(Self.percentDecoded(raw) ?? raw)
    }

    /// A path or path parameter with its `%XX` escapes decoded; `nil` if one is malformed.
    /// Foundation's decoder goes through CFString on Linux, on every request, and most paths
    /// hold no '%', so those are returned as they are.
    static func percentDecoded(_ raw: String) -> String? {
        raw.utf8.contains(UInt8(ascii: "%")) ? raw.removingPercentEncoding : raw
    }
}
