import Foundation
import NIOHTTP1
import SpoolCore

/// The cause of a `SpoolError` made from an error answer that is not Spool's JSON error
/// (a proxy's HTML page, an empty 404): the error's code is the client's guess, not the server's.
public struct UnrecognizedErrorAnswer: Error, Sendable {
    /// The answer's HTTP status code.
    public let status: Int
    /// The URL the request went to.
    public let url: String
}

extension SpoolError {
    /// Whether the server sent this error's code; not so for an answer that was not Spool's
    /// JSON error, such as a proxy's `502 Bad Gateway` page.
    public var codeIsFromServer: Bool { !(cause is UnrecognizedErrorAnswer) }
}

extension SpoolClient {
    /// The error for a non-2xx answer: the server's own when the body is Spool's JSON error;
    /// otherwise one line naming the status, the URL and what the body says (its HTML title,
    /// or its start with whitespace collapsed), with an `UnrecognizedErrorAnswer` as its cause.
    static func error(status: HTTPResponseStatus, url: String, body: [UInt8]) -> SpoolError {
        if let json = try? JSONValue.parse(body), let error = SpoolError(jsonBody: json) { return error }
        let statusLine = "HTTP \(status.code) \(status.reasonPhrase)".trimmingCharacters(in: .whitespaces)
        let summary = summary(of: String(decoding: body.prefix(64 << 10), as: UTF8.self))
        let said = summary.isEmpty || statusLine.hasSuffix(summary) ? "" : ": \(summary)"
        return SpoolError(
            .internalError, "\(statusLine) from \(url)\(said)",
            cause: UnrecognizedErrorAnswer(status: Int(status.code), url: url))
    }

    /// The longest summary of an answer's body, in characters.
    static let summaryLength = 100

    /// An HTML page's `<title>`, or else the text's start, on one line: runs of whitespace
    /// and control characters become one space.
    static func summary(of body: String) -> String {
        let text = htmlTitle(in: body) ?? body
        let words = text.split { $0.isWhitespace || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
        let line = words.joined(separator: " ")
        return line.count > summaryLength ? String(line.prefix(summaryLength)) + "…" : line
    }

    private static func htmlTitle(in body: String) -> String? {
        guard let open = body.range(of: "<title>", options: .caseInsensitive),
            let close = body.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<body.endIndex)
        else { return nil }
        return String(body[open.upperBound..<close.lowerBound])
    }
}
