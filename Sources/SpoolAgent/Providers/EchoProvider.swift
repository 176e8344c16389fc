import Foundation
import SpoolCore

/// An offline, deterministic provider: what a fresh machine without
/// credentials runs, and what demos and tests can rely on.
///
/// - A user message comes back as `You said: …`, in a few deltas.
/// - `/tool NAME {json}` calls tool `NAME` with those arguments when the
///   request offers that tool (arguments may be left out: `{}`).
/// - After tool results it answers `Tool NAME returned: OUTPUT`, one line per result.
///
/// Usage counts words: of the whole request as input, of the answer as output.
public struct EchoProvider: LLMProvider {
    public let name = "echo"

    public init() {}

    public func stream(_ request: LLMRequest) async throws -> LLMStream {
        LLMStream(events: Self.answer(to: request))
    }

    /// The events that answer `request`, ending with `.completed`.
    static func answer(to request: LLMRequest) -> [LLMStreamEvent] {
        let inputTokens = wordCount(request.systemPrompt ?? "") + request.messages.reduce(0) { $0 + wordCount(text(of: $1)) }
        let results = request.messages.reversed().prefix { if case .toolResult = $0 { true } else { false } }
        let reply: String
        if !results.isEmpty {
            reply = results.reversed().map { message -> String in
                guard case .toolResult(let result) = message else { return "" }
                return "Tool \(result.name) \(result.isError ? "failed" : "returned"): \(result.output)"
            }.joined(separator: "\n")
        } else if let input = lastUserText(request.messages) {
            switch toolCommand(input, tools: request.tools) {
            case .call(let name, let arguments):
                let call = ToolCall(id: "echo_call_\(request.messages.count)", name: name, arguments: arguments)
                let usage = TokenUsage(inputTokens: inputTokens, outputTokens: wordCount(name + " " + arguments.jsonString))
                return [
                    .toolCallStarted(id: call.id, name: name),
                    .completed(LLMResponse(content: "", toolCalls: [call], finishReason: .toolCalls, usage: usage)),
                ]
            case .problem(let explanation):
                reply = explanation
            case nil:
                reply = "You said: " + input
            }
        } else {
            reply = "Nothing to echo yet: send a message."
        }
        let usage = TokenUsage(inputTokens: inputTokens, outputTokens: wordCount(reply))
        return deltas(of: reply).map { .textDelta($0) } + [.completed(LLMResponse(content: reply, finishReason: .stop, usage: usage))]
    }

    private enum ToolCommand {
        case call(name: String, arguments: JSONValue)
        case problem(String)
    }

    /// `/tool NAME {json}`, checked against the offered tools.
    private static func toolCommand(_ input: String, tools: [ToolDefinition]) -> ToolCommand? {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed == "/tool" || trimmed.hasPrefix("/tool ") || trimmed.hasPrefix("/tool\n") else { return nil }
        let rest = trimmed.dropFirst("/tool".count).drop(while: \.isWhitespace)
        let name = String(rest.prefix { !$0.isWhitespace })
        let json = rest.dropFirst(name.count).trimmingCharacters(in: .whitespacesAndNewlines)
        let available = tools.isEmpty ? "none" : tools.map(\.name).joined(separator: ", ")
        guard !name.isEmpty else { return .problem("Usage: /tool NAME {json arguments}. Available tools: \(available).") }
        guard tools.contains(where: { $0.name == name }) else {
            return .problem("Unknown tool \(name). Available tools: \(available).")
        }
        if json.isEmpty { return .call(name: name, arguments: .emptyObject) }
        do {
            return .call(name: name, arguments: try JSONValue.parse(json))
        } catch {
            return .problem("The arguments for \(name) are not valid JSON (\(error)).")
        }
    }

    private static func lastUserText(_ messages: [LLMMessage]) -> String? {
        for message in messages.reversed() {
            if case .user(let text) = message { return text }
        }
        return nil
    }

    private static func text(of message: LLMMessage) -> String {
        switch message {
        case .user(let text), .system(let text), .developer(let text): text
        case .assistant(let content, let toolCalls): ([content] + toolCalls.map { $0.name + " " + $0.argumentsText }).joined(separator: " ")
        case .toolResult(let result): result.output
        }
    }

    static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }

    /// `text` in up to three pieces, split after whitespace, that concatenate back to it.
    static func deltas(of text: String, pieces: Int = 3) -> [String] {
        var words: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index].isWhitespace, next < text.endIndex, !text[next].isWhitespace {
                words.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start < text.endIndex { words.append(text[start...]) }
        guard !words.isEmpty else { return [text] }
        let perPiece = (words.count + pieces - 1) / pieces
        return stride(from: 0, to: words.count, by: perPiece).map {
            words[$0..<min($0 + perPiece, words.count)].joined()
        }
    }
}
