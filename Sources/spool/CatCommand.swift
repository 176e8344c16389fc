import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct CatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print a stream's events (YAML by default); --live keeps following it.",
        discussion: """
            Examples:
              spool cat /agents/ada
              spool cat /agents/ada --after 10 --format ndjson
              spool cat /agents/ada --live
              spool cat /agents/ada --last 20 --live    # the last 20, then new ones
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case yaml, json, ndjson }

    @Argument(help: "Stream path, e.g. /agents/ada.", transform: streamPath) var path: StreamPath
    @Option(parsing: .unconditional, help: "Print events after this offset.") var after = 0
    @Option(name: [.customShort("n"), .customLong("last")], parsing: .unconditional, help: "Print only the last N events (with --live, then follow).")
    var last: Int?
    @Flag(help: "Keep following the stream and print new events as they arrive.") var live = false
    @Option(help: "Output format: yaml, json or ndjson.") var format: Format = .yaml
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after takes an offset, 0 or more (0 reads from the start), not \(after)") }
        if live && format == .json { throw ValidationError("--live prints yaml or ndjson, not json (one array cannot be followed)") }
        if let last, last < 0 { throw ValidationError("--last takes a number of events, 0 or more, not \(last)") }
    }

    func run() async throws {
        let client = options.client
        let colour = standardOutputIsTerminal
        try await reportingErrors {
            var after = after
            if let last, let head = try await client.headOffset(of: path) { after = max(after, head - last) }
            if live {
                // Following retries a dropped connection; a server that is not there at all is an error now.
                try await client.health()
                for try await event in client.tail(path, after: after) {
                    printEvents([event], colour: colour)
                }
                return
            }
            var cursor = after
            var first = true
            if format == .json { print("[", terminator: "") }
            while true {
                let events = try await client.read(path, after: cursor, limit: 1000)
                if format == .json {
                    for event in events {
                        print((first ? "" : ",") + event.jsonString, terminator: "")
                        first = false
                    }
                } else {
                    printEvents(events, colour: colour)
                }
                guard let last = events.last, events.count == 1000 else { break }
                cursor = last.offset
            }
            if format == .json { print("]") }
        }
    }

    private func printEvents(_ events: [Event], colour: Bool) {
        switch format {
        case .yaml: printFlushed(renderYAML(events, colour: colour), terminator: "")
        case .ndjson, .json: printFlushed(events.map { $0.jsonString + "\n" }.joined(), terminator: "")
        }
    }
}
