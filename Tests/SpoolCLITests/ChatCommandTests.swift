import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// `spool chat` and agent turns through the real binary.
@Suite(.timeLimit(.minutes(3)))
struct ChatCommandTests {
    @Test func oneTurnPrintsTheAnswerAndExits() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), environment: Self.offline)
        defer { server.stop() }
        let env = ["SPOOL_URL": server.baseURL]
        let chat = try await SpoolProcess.run(["chat", "/agents/cli", "--message", "good morning"], environment: env)
        #expect(chat.status == 0, "\(chat.errors)")
        #expect(chat.output.contains("You said: good morning"))

        _ = try await SpoolProcess.run(["append", "/agents/cli", "agent/configured", #"{"tools":["read_stream"]}"#], environment: env)
        let tool = try await SpoolProcess.run(
            ["chat", "/agents/cli", "--message", #"/tool read_stream {"path":"/agents/cli","limit":1}"#], environment: env)
        #expect(tool.status == 0, "\(tool.errors)")
        #expect(tool.output.contains("→ read_stream("))
        #expect(tool.output.contains("← read_stream:"))
        #expect(tool.output.contains("Tool read_stream returned:"))
    }

    /// A restart in the middle of a turn resumes it; the tool call is not sent twice.
    @Test func aTurnInterruptedByKillResumesWithoutRepeatingTheTool() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/agents/resume")
        let server = try await SpoolProcess.serve(dataDirectory: directory, environment: Self.offline)
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
        try await client.append(AppendInput(type: "agent/configured", payload: ["tools": ["wait"]]), to: path)
        try await client.append(AppendInput(type: "agent/input-added", payload: ["content": #"/tool wait {"seconds":2}"#]), to: path)
        #expect(try await eventually { try await client.read(path).contains { $0.type == "spool/append-scheduled" } })
        await server.kill()  // mid-turn: the tool call is waiting for its scheduled completion

        try await Task.sleep(for: .seconds(2))
        let restarted = try await SpoolProcess.serve(dataDirectory: directory, environment: Self.offline)
        defer { restarted.stop() }
        let reader = SpoolClient(baseURL: restarted.baseURL)
        func finalAnswers() async throws -> [Event] {
            try await reader.read(path, limit: 10_000).filter {
                $0.type == "llm/response-completed" && ($0.payload["toolCalls"]?.arrayValue?.isEmpty ?? true)
            }
        }
        #expect(try await eventually(timeout: .seconds(20)) { try await finalAnswers().count == 1 })
        let events = try await reader.read(path, limit: 10_000)
        #expect(events.filter { $0.type == "spool/append-scheduled" }.count == 1, "the wait tool ran once")
        #expect(events.filter { $0.type == "tool/call-completed" }.count == 1)
        #expect(try await finalAnswers().first?.payload["content"] == "Tool wait returned: waited 2.0 seconds")
    }

    /// No provider credentials: agents use the offline echo provider.
    static let offline = ["OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
}
