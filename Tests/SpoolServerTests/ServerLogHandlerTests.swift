import Logging
import Synchronization
import Testing

@testable import SpoolServer

/// The server's log lines: `StreamLogHandler`'s format, metadata formatted only for lines written.
@Suite struct ServerLogHandlerTests {
    /// Collects written lines.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ line: String) { lines.withLock { $0.append(line) } }
    }

    /// Counts how often it is formatted.
    final class CountingValue: CustomStringConvertible, Sendable {
        private let count = Atomic(0)
        var formatted: Int { count.load(ordering: .relaxed) }
        var description: String {
            count.add(1, ordering: .relaxed)
            return "r-1"
        }
    }

    @Test func metadataIsFormattedOnlyForLinesWritten() {
        let lines = Lines()
        let value = CountingValue()
        var logger = Logger(label: "spool") { label in ServerLogHandler(label: label, metadataProvider: nil, write: lines.append) }
        logger.logLevel = .info
        // What Hummingbird does for every request.
        logger[metadataKey: "hb.request.id"] = .stringConvertible(value)
        logger.debug("GET /health 200")
        #expect(value.formatted == 0, "nothing written, nothing formatted")
        #expect(lines.all.isEmpty)
        logger.info("listening")
        #expect(value.formatted == 1)
        #expect(lines.all.count == 1)
    }

    /// The same line as swift-log's `StreamLogHandler`, after the timestamp: metadata of the
    /// logger, the provider and the call merged (the call's wins) and sorted by key.
    @Test func linesReadAsStreamLogHandlersDo() throws {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["trace": "t-9"] }
        var ours = Logger(label: "spool") { label in ServerLogHandler(label: label, metadataProvider: provider, write: lines.append) }
        let theirs = StreamCapture()
        var reference = Logger(label: "spool") { label in StreamLogHandler(label: label, stream: theirs, metadataProvider: provider) }
        ours[metadataKey: "b"] = "2"
        reference[metadataKey: "b"] = "2"
        ours[metadataKey: "a"] = "1"
        reference[metadataKey: "a"] = "1"
        ours.warning("slow commit", metadata: ["b": "override", "c": ["x", "y"]], source: "SpoolStore")
        reference.warning("slow commit", metadata: ["b": "override", "c": ["x", "y"]], source: "SpoolStore")
        let line = try #require(lines.all.first)
        let expected = try #require(theirs.text.split(separator: " ", maxSplits: 1).last.map(String.init))
        #expect(line.split(separator: " ", maxSplits: 1).last.map(String.init) == expected)
        #expect(line.hasSuffix(#"warning spool: a=1 b=override c=["x", "y"] trace=t-9 [SpoolStore] slow commit"# + "\n"), "\(line)")
        // The timestamp reads like StreamLogHandler's: local time to the second, with its offset.
        let timestamp = String(try #require(line.split(separator: " ").first))
        #expect(timestamp.count == 24 && timestamp.dropFirst(10).first == "T", "\(timestamp)")
    }

    /// A `TextOutputStream` for `StreamLogHandler`.
    final class StreamCapture: TextOutputStream, Sendable {
        private let written = Mutex("")
        var text: String { written.withLock { $0 } }
        func write(_ string: String) { written.withLock { $0 += string } }
    }
}
