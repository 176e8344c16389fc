import Foundation
import Logging

/// Writes log lines in swift-log's `StreamLogHandler` format
/// (`2026-12-05T08:00:00+0000 info spool: key=value [Module] message`), formatting a
/// logger's metadata when a line is written rather than whenever it is set.
///
/// `StreamLogHandler` formats the metadata each time a key is set. Hummingbird sets a
/// request id on every request's logger, so a server logging at `info` formatted it on
/// every request (about 3 % of its CPU under load) to print nothing.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: @Sendable (String) -> Void

    /// - Parameter write: takes each whole line, newline included; standard error by default.
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider,
        write: @escaping @Sendable (String) -> Void = ServerLogHandler.writeToStandardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        output = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        output(Self.line(timestamp: Self.timestamp(), event: event, label: label, metadata: merged))
    }

    /// One line as `StreamLogHandler` writes it: metadata sorted by key.
    static func line(timestamp: String, event: LogEvent, label: String, metadata: Logger.Metadata) -> String {
        let pairs = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let labelPart = label.isEmpty ? "" : " \(label)"
        let metadataPart = pairs.isEmpty ? "" : " \(pairs)"
        return "\(timestamp) \(event.level)\(labelPart):\(metadataPart) [\(event.source)] \(event.message)\n"
    }

    /// Local time with its offset, to the second.
    static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `line` to standard error in one call, so lines from many threads do not interleave.
    @Sendable public static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var written = 0
            while written < bytes.count {
                let result = write(STDERR_FILENO, bytes.baseAddress! + written, bytes.count - written)
                if result > 0 {
                    written += result
                } else if result < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
