import ArgumentParser
import Foundation
import SpoolClient
import SpoolCore

struct AppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append an event to a stream and print it as stored (YAML).",
        discussion: """
            Examples:
              spool append /agents/ada agent/input-added '{"content":"hello"}'
              echo '{"content":"hi"}' | spool append /agents/ada agent/input-added -
              spool append /jobs/1 job/started --idempotency-key start-1 \\
                --expected-offset 0
            """)

    @Argument(help: "Stream path, e.g. /agents/ada.", transform: streamPath) var path: StreamPath
    @Argument(help: "Event type, e.g. agent/input-added.") var type: String
    @Argument(help: "Payload JSON object; '-' reads it from standard input.") var payload: String?
    @Option(help: "Metadata JSON object.") var metadata: String?
    @Option(name: .customLong("idempotency-key"), help: "Appending the same key again stores nothing new.")
    var idempotencyKey: String?
    @Option(name: .customLong("expected-offset"), parsing: .unconditional, help: "Refuse unless the stream's head offset is this (0 = empty).")
    var expectedOffset: Int?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reportingErrors {
            let input = try AppendInput(
                type: type, payload: try payloadValue() ?? .emptyObject, metadata: try metadata.map(parseJSON),
                idempotencyKey: idempotencyKey, expectedOffset: expectedOffset)
            let event = try await options.client.append(input, to: path)
            print(renderYAML([event], colour: standardOutputIsTerminal), terminator: "")
        }
    }

    private func payloadValue() throws -> JSONValue? {
        guard let payload else { return nil }
        if payload == "-" {
            return try parseJSON(String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self))
        }
        return try parseJSON(payload)
    }
}

func parseJSON(_ text: String) throws -> JSONValue {
    do {
        return try JSONValue.parse(text)
    } catch {
        throw CommandFailure("malformed JSON: \(error)")
    }
}

/// Events as YAML documents, coloured for a terminal when asked.
func renderYAML(_ events: [Event], colour: Bool) -> String {
    var text = ""
    for event in events { text += "---\n" + event.envelope.yamlString }
    return colour ? YAMLColorizer.colorize(text) : text
}
