import SpoolAgent
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// Codemode: the model writes JavaScript that calls the agent's other tools.
@Suite(.timeLimit(.minutes(1)))
struct RunJavaScriptToolTests {
    @Test func aScriptCallsAToolAndReturnsItsResult() async throws {
        try await TestServer.with(configure: { $0.environment = [:] }) { server in
            let agent = AgentHarness(server)
            let client = SpoolClient(baseURL: server.baseURL)
            let notes = try StreamPath("/notes/today")
            try await client.append(AppendInput(type: "note/added", payload: ["text": "buy milk"]), to: notes)
            try await client.append(AppendInput(type: "note/added", payload: ["text": "call mum"]), to: notes)
            let path = try StreamPath("/agents/coder")
            try await agent.configure(path, ["tools": ["run_javascript", "read_stream"]])
            let code = #"const text = await tools.read_stream({path: '/notes/today'}); return {count: text.split('\n').length, texts: text.split('\n').map(l => JSON.parse(l).payload.text)};"#
            let arguments: JSONValue = ["code": .string(code)]
            try await agent.say(path, "/tool run_javascript \(arguments.jsonString)")
            let answers = try await agent.waitForAnswers(path, count: 1)
            #expect(answers == [#"Tool run_javascript returned: {"count":2,"texts":["buy milk","call mum"]}"#])
        }
    }

    @Test func errorsAndUnavailableToolsAreReportedToTheModel() async throws {
        var quick = RunJavaScriptTool()
        quick.timeLimit = .milliseconds(300)
        try await TestServer.with(configure: { $0.environment = [:] }, tools: [quick]) { server in
            let agent = AgentHarness(server)
            let path = try StreamPath("/agents/coder2")
            try await agent.configure(path, ["tools": ["run_javascript"]])
            let arguments: JSONValue = ["code": "return await tools.read_stream({path: '/x'})"]
            try await agent.say(path, "/tool run_javascript \(arguments.jsonString)")
            let first = try await agent.waitForAnswers(path, count: 1)
            #expect(first.last?.contains("tools.read_stream is not available") == true, "\(first)")
            let spin: JSONValue = ["code": "while (true) {}"]
            try await agent.say(path, "/tool run_javascript \(spin.jsonString)")
            let second = try await agent.waitForAnswers(path, count: 2)
            #expect(second.last?.contains("timed out") == true, "\(second)")
        }
    }
}
