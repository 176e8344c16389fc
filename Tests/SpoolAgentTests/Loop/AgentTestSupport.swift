import SpoolClient
import SpoolCore
import SpoolServer
import SpoolTesting

/// Talks to agents on a test server.
struct AgentHarness: Sendable {
    let client: SpoolClient

    init(_ server: TestServer) { client = SpoolClient(baseURL: server.baseURL) }

    func configure(_ path: StreamPath, _ payload: JSONValue) async throws {
        try await client.append(AppendInput(type: "agent/configured", payload: payload), to: path)
    }

    @discardableResult
    func say(_ path: StreamPath, _ content: String) async throws -> Event {
        try await client.append(AppendInput(type: "agent/input-added", payload: ["content": .string(content)]), to: path)
    }

    func events(_ path: StreamPath) async throws -> [Event] {
        try await client.read(path, limit: 10_000)
    }

    func events(_ path: StreamPath, ofType type: String) async throws -> [Event] {
        try await events(path).filter { $0.type == type }
    }

    /// Final answers: completed responses without tool calls.
    func answers(_ path: StreamPath) async throws -> [String] {
        try await events(path, ofType: "llm/response-completed")
            .filter { $0.payload["toolCalls"]?.arrayValue?.isEmpty ?? true }
            .compactMap { $0.payload["content"]?.stringValue }
    }

    func waitForAnswers(_ path: StreamPath, count: Int, timeout: Duration = .seconds(15)) async throws -> [String] {
        _ = try await eventually(timeout: timeout) { try await answers(path).count >= count }
        return try await answers(path)
    }
}

/// A server whose agents use the offline echo provider, with a short debounce.
func withAgentServer<T: Sendable>(
    environment: [String: String] = [:], dataDirectory: String? = nil, _ body: @Sendable (AgentHarness) async throws -> T
) async throws -> T {
    try await TestServer.with(
        configure: { $0.environment = environment }, dataDirectory: dataDirectory
    ) { server in
        try await body(AgentHarness(server))
    }
}
