import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Print a processor's state of a stream (YAML), at its head or as of an earlier offset.",
        discussion: """
            Examples:
              spool state /agents/ada --processor circuit-breaker
              spool state /demo/a --processor demo-ping-pong --at 3
            """)

    @Argument(help: "Stream path.", transform: streamPath) var path: StreamPath
    @Option(help: "Processor name (see GET /processors).") var processor: String
    @Option(parsing: .unconditional, help: "Fold only the first N events (time travel).") var at: Int?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reportingErrors {
            var query = "/state\(path.rawValue)?processor=\(processor.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? processor)"
            if let at { query += "&at=\(at)" }
            let answer = try await options.client.send(.GET, query)
            let yaml = answer.yamlString
            printFlushed(standardOutputIsTerminal ? YAMLColorizer.colorize(yaml) : yaml, terminator: "")
        }
    }
}
