import SpoolAgent
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// The tool protocol as the README shows it.
struct Clock: AgentTool {
    let definition = ToolDefinition(name: "clock", description: "The current UTC time.")
    func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        .output("it is \(Timestamp(millisecondsSinceEpoch: 0).iso8601)")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct CustomToolTests {
    @Test func aUserToolIsCalledLikeABuiltIn() async throws {
        try await TestServer.with(configure: { $0.environment = [:] }, tools: [Clock()]) { server in
            let agent = AgentHarness(server)
            let path = try StreamPath("/agents/clock")
            try await agent.configure(path, ["tools": ["clock"]])
            try await agent.say(path, "/tool clock {}")
            #expect(try await agent.waitForAnswers(path, count: 1) == ["Tool clock returned: it is 1970-01-01T00:00:00.000Z"])
        }
    }
}
