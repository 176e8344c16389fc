import ArgumentParser
import SpoolClient
import SpoolCore

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List streams under a prefix with their head offset, last update, and whether they are paused.",
        discussion: "Example: spool ls /agents")

    @Argument(help: "Only streams at or below this path.") var prefix = "/"
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await reportingErrors {
            let streams = try await options.client.streams(prefix: prefix)
            print(StreamTable.render(streams), terminator: "")
        }
    }
}
