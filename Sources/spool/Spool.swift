import ArgumentParser

@main
struct Spool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "Spool: durable event streams for agents.",
        discussion: """
            Everything an agent does is an event appended to a stream at a path such as /agents/ada.
            Start a server with `spool serve`, then append, read and tail streams:

              spool append /agents/ada agent/input-added '{"content":"hello"}'
              spool cat /agents/ada --live
              spool ls /agents
            """,
        subcommands: [ServeCommand.self, AppendCommand.self, CatCommand.self, LsCommand.self, StateCommand.self, ChatCommand.self, WorkerCommand.self, BenchCommand.self]
    )
}
