import ArgumentParser
import Foundation
import SpoolAgent
import SpoolClient
import SpoolCore

struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with the agent at a stream: its answer streams in, tool calls show compactly.",
        discussion: """
            Interactive: type a message and press return. /approve and /deny answer
            a pending tool approval, /quit leaves; Ctrl-C cancels the answer being
            written. One turn, for scripts:
              spool chat /agents/ada --message "Summarise the build log"
            """)

    @Argument(help: "The agent's stream, e.g. /agents/ada.", transform: streamPath) var path: StreamPath
    @Option(parsing: .unconditional, help: "Send one message, print the answer, and exit.") var message: String?
    @Option(parsing: .unconditional, help: "With --message: give up after this many seconds.") var timeout: Int = 300
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout takes a number of seconds above 0, not \(timeout)") }
    }

    func run() async throws {
        let client = options.client
        try await reportingErrors {
            if let message {
                try await oneTurn(message, path: path, client: client)
            } else {
                try await interactive(path: path, client: client)
            }
        }
    }

    private func oneTurn(_ message: String, path: StreamPath, client: SpoolClient) async throws {
        let input = try await client.append(AppendInput(type: "agent/input-added", payload: ["content": .string(message)]), to: path)
        let outcome = try await withThrowingTaskGroup(of: ChatRenderer.TurnEnd?.self) { group in
            group.addTask {
                var renderer = ChatRenderer(showApprovalHint: false)
                for try await event in client.tail(path, after: input.offset) {
                    printFlushed(renderer.render(event), terminator: "")
                    if let end = renderer.turnEnd { return end }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .answered: return
        case .failed(let error): throw CommandFailure("the agent's request failed: \(error)")
        case nil:
            let waiting = try await Self.agentState(of: path, client: client).callsAwaitingApproval
            let why = waiting.isEmpty ? "" : ": \(waiting.joined(separator: ", ")) still waiting for approval"
            throw CommandFailure("no answer within \(timeout) seconds\(why)")
        }
    }

    private func interactive(path: StreamPath, client: SpoolClient) async throws {
        let head = try await client.streams(prefix: path.rawValue).first { $0.path == path }?.headOffset ?? 0
        printFlushed("Chatting with \(path) on \(client.baseURL). /approve, /deny, /quit; Ctrl-C cancels an answer.")
        let session = ChatSession(path: path, client: client)
        if head > 0 {
            let state = try await Self.agentState(of: path, at: head, client: client)
            session.seed(activeRequest: state.activeRequestId, approvals: state.callsAwaitingApproval)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var renderer = ChatRenderer(showApprovalHint: true)
                for try await event in client.tail(path, after: head) {
                    printFlushed(renderer.render(event), terminator: "")
                    session.observe(event)
                }
            }
            group.addTask {
                for await line in StandardInputLines() {
                    guard try await session.handle(line) else { return }
                }
            }
            group.addTask {
                for await _ in InterruptSignals() { try await session.interrupt() }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// The agent's state of `path` (at its head, or after its first `offset` events), as the server folds it.
    static func agentState(of path: StreamPath, at offset: Int? = nil, client: SpoolClient) async throws -> AgentState {
        let answer = try await client.send(.GET, "/state\(path.rawValue)?processor=agent" + (offset.map { "&at=\($0)" } ?? ""))
        return try JSONValue.decode(AgentState.self, from: answer["state"] ?? .null)
    }
}
