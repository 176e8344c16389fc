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

    /// Typed lines are the person's own words: the echo provider's `/tool` works as with `--message`.
    @Test func anInteractiveLineIsSentAsTyped() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), environment: Self.offline)
        defer { server.stop() }
        let path = try StreamPath("/agents/typed")
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
        try await client.append(AppendInput(type: "agent/configured", payload: ["tools": ["read_stream"]]), to: path)
        let typed = #"/tool read_stream {"path":"/agents/typed","limit":1}"#
        let chat = try await SpoolProcess.run(
            ["chat", path.rawValue], environment: ["SPOOL_URL": server.baseURL], standardInput: Data((typed + "\n/quit\n").utf8))
        #expect(chat.status == 0, "\(chat.errors)")
        let input = try #require(try await client.read(path).first { $0.type == "agent/input-added" })
        #expect(input.payload == ["content": .string(typed)])
        #expect(try await eventually { try await client.read(path, limit: 100).contains { $0.type == "tool/call-completed" } })
    }

    /// A one-turn chat cannot approve: it says what waits. An interactive chat started later
    /// sees the approval waiting, and `/deny REASON` denies that call with the reason.
    @Test func anApprovalLeftWaitingIsAnsweredInALaterSession() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), environment: Self.offline)
        defer { server.stop() }
        let env = ["SPOOL_URL": server.baseURL]
        let path = try StreamPath("/agents/approvals")
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
        try await client.append(
            AppendInput(type: "agent/configured", payload: ["tools": ["append_event"], "requireApproval": ["append_event"]]), to: path)
        let asked = try await SpoolProcess.run(
            ["chat", path.rawValue, "--timeout", "2", "--message", #"/tool append_event {"type":"note/added","payload":{}}"#],
            environment: env)
        #expect(asked.status != 0)
        #expect(asked.output.contains("? waiting for approval of echo_call_"), "\(asked.output)")
        let callId = try #require(try await client.read(path).first { $0.type == "tool/approval-requested" }?.payload["callId"]?.stringValue)
        // The command's own failure: one line, no error code (those are the server's).
        #expect(asked.errors == "error: no answer within 2 seconds: \(callId) still waiting for approval\n", "\(asked.errors)")

        let later = try await SpoolProcess.run(
            ["chat", path.rawValue], environment: env, standardInput: Data("/deny too risky\n/approve\n/deny again\n".utf8))
        #expect(later.status == 0, "\(later.errors)")
        #expect(later.output.contains("? approval needed for \(callId): /approve or /deny [reason]"), "\(later.output)")
        let denied = try #require(try await client.read(path).first { $0.type == "tool/approval-denied" })
        #expect(denied.payload == ["callId": .string(callId), "reason": "too risky"])
        let answers = try await client.read(path).filter { $0.type.hasPrefix("tool/approval-") && $0.type != "tool/approval-requested" }
        #expect(answers.count == 1, "the commands typed after it found nothing waiting: \(answers.map(\.type))")
        #expect(later.output.contains("(no tool call is waiting for approval)"), "\(later.output)")
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

    /// A failure that a restart could retry still ends the turn: the agent itself waits for the
    /// next input, so waiting for an answer would wait out the whole timeout.
    @Test func aRetryableFailureEndsTheTurnAtOnce() async throws {
        let failing = Array(repeating: FakeLLMReply.httpError(status: 500, message: "upstream down"), count: 8)
        try await FakeLLMServer.with(replies: failing) { llm in
            let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), environment: llm.environment())
            defer { server.stop() }
            let clock = ContinuousClock()
            let started = clock.now
            let chat = try await SpoolProcess.run(
                ["chat", "/agents/failing", "--message", "hello", "--timeout", "120"], environment: ["SPOOL_URL": server.baseURL])
            #expect(clock.now - started < .seconds(60), "chat waited for an answer that could not come")
            #expect(chat.status != 0)
            #expect(chat.output.contains("request failed") || chat.errors.contains("request failed"), "\(chat.output) \(chat.errors)")
        }
    }

    /// No provider credentials: agents use the offline echo provider.
    static let offline = ["OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""]
}

/// A request streaming when the server is killed is cancelled and sent again on restart.
@Suite(.timeLimit(.minutes(3)))
struct AgentRestartTests {
    @Test func aRequestInFlightIsResentAfterAKill() async throws {
        let slow = FakeLLMReply.text(String(repeating: "slow ", count: 60), chunks: 60, delay: .milliseconds(100))
        try await FakeLLMServer.with(replies: [slow, .text("Resumed answer.")]) { llm in
            let directory = TestServer.temporaryDirectory()
            let path = try StreamPath("/agents/inflight")
            let server = try await SpoolProcess.serve(dataDirectory: directory, environment: llm.environment())
            let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
            try await client.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
            try await client.append(AppendInput(type: "agent/input-added", payload: ["content": "long answer please"]), to: path)
            #expect(try await eventually { try await client.read(path).contains { $0.type == "llm/output-delta" } })
            await server.kill()

            let restarted = try await SpoolProcess.serve(dataDirectory: directory, environment: llm.environment())
            defer { restarted.stop() }
            let reader = SpoolClient(baseURL: restarted.baseURL)
            #expect(try await eventually(timeout: .seconds(20)) {
                try await reader.read(path, limit: 10_000).contains { $0.type == "llm/response-completed" }
            })
            let events = try await reader.read(path, limit: 10_000)
            let cancelled = try #require(events.first { $0.type == "llm/request-cancelled" })
            #expect(cancelled.payload["reason"] == "server restarted")
            #expect(cancelled.payload["requestId"] == "req-1")
            let completed = events.filter { $0.type == "llm/response-completed" }
            #expect(completed.map { $0.payload["requestId"] } == ["req-2"])
            #expect(completed.first?.payload["content"] == "Resumed answer.")
            #expect(llm.requestCount == 2, "the provider saw the interrupted request and its replacement")
        }
    }
}
