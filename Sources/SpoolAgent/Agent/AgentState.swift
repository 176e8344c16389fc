import SpoolCore

/// An agent's conversation and progress, folded from its stream. Pure data.
public struct AgentState: Codable, Sendable, Equatable {
    /// One message of the conversation the model sees.
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String
        public var toolCalls: [RecordedToolCall]?
        public var callId: String?
        public var name: String?
        public var isError: Bool?
    }

    public struct RecordedToolCall: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var argumentsJSON: String
    }

    public enum Approval: String, Codable, Sendable {
        case notNeeded, pending, granted, denied
    }

    public struct ToolCallProgress: Codable, Sendable, Equatable {
        public var name: String
        public var argumentsJSON: String
        public var requestId: String
        public var approval: Approval
        public var completed: Bool
    }

    public var configuration = AgentConfiguration()
    public var messages: [Message] = []
    /// The offset of the newest input.
    public var lastInputOffset = 0
    /// The newest input that a completed response has answered.
    public var answeredInputOffset = 0
    /// The request in flight, if any, and the newest input it contains.
    public var activeRequestId: String?
    public var activeRequestInputOffset = 0
    /// Requests started so far (names the next one).
    public var requestCount = 0
    /// Tool calls of the current turn, by call id, in the order requested.
    public var toolCalls: [String: ToolCallProgress] = [:]
    public var toolCallOrder: [String] = []
    /// The last answer that ended a turn (no tool calls), and the offset of its event.
    public var lastAnswer: String?
    public var lastAnswerOffset = 0

    public init() {}

    /// Whether an input arrived that no completed response has answered yet (a cancelled or
    /// failed request leaves it unanswered, so a resumed turn sends it again).
    public var hasUnansweredInput: Bool { lastInputOffset > answeredInputOffset }

    /// Tool calls of the turn not completed yet.
    public var openToolCalls: [String] { toolCallOrder.filter { toolCalls[$0]?.completed == false } }

    /// The tool name of `callId` if a model asked for it in an earlier message and no result has
    /// been recorded for it.
    func earlierCallAwaitingResult(_ callId: String) -> String? {
        guard !messages.contains(where: { $0.role == "tool" && $0.callId == callId }) else { return nil }
        for message in messages.reversed() {
            if let call = message.toolCalls?.first(where: { $0.id == callId }) { return call.name }
        }
        return nil
    }
}
