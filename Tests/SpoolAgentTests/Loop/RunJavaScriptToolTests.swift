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
        let answers = try await answers(to: ["return await tools.read_stream({path: '/x'})", "while (true) {}"], with: quick)
        #expect(answers.first?.contains("tools.read_stream is not available") == true, "\(answers)")
        #expect(answers.last?.contains("timed out") == true, "\(answers)")
    }

    /// The first script keeps 4,096 arrays of 32 KiB (128 MiB at most, bounded so that it ends without a limit).
    @Test func aScriptOverItsMemoryLimitIsStopped() async throws {
        var small = RunJavaScriptTool()
        small.memoryLimit = 8 << 20
        let hog = "const kept = []; for (let i = 0; i < 4096; i++) kept.push(new Array(4096).fill(i + 0.5)); return kept.length;"
        let answers = try await answers(to: [hog, "return [1, 2, 3].length;"], with: small)
        let stopped = answers.first ?? ""
        #expect(stopped.contains("JavaScript error: the script used ") && stopped.contains("MiB of memory, over its limit of 8 MiB"), "\(stopped)")
        #expect(answers.last == "Tool run_javascript returned: 3", "the next script gets a sandbox of its own: \(answers)")
    }

    /// Runs each script through `/tool run_javascript` on an agent that has only `tool`, in turn; returns the agent's answers.
    private func answers(to scripts: [String], with tool: RunJavaScriptTool) async throws -> [String] {
        try await TestServer.with(configure: { $0.environment = [:] }, tools: [tool]) { server in
            let agent = AgentHarness(server)
            let path = try StreamPath("/agents/coder")
            try await agent.configure(path, ["tools": ["run_javascript"]])
            var answers: [String] = []
            for (index, code) in scripts.enumerated() {
                let arguments: JSONValue = ["code": .string(code)]
                try await agent.say(path, "/tool run_javascript \(arguments.jsonString)")
                answers = try await agent.waitForAnswers(path, count: index + 1)
            }
            return answers
        }
    }
}
