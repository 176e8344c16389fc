import SpoolCore

/// Turns an agent's events into chat text for a terminal: the answer as it
/// streams, tool calls and results on one line each. Pure.
public struct ChatRenderer: Sendable {
    public enum TurnEnd: Sendable, Equatable {
        case answered
        case failed(String)
    }

    let showApprovalHint: Bool
    /// Set when an event ends the turn: an answer without tool calls, or a request failed for good.
    public private(set) var turnEnd: TurnEnd?
    private var streamedText: [String: String] = [:]

    public init(showApprovalHint: Bool) { self.showApprovalHint = showApprovalHint }

    public mutating func render(_ event: Event) -> String {
        let payload = event.payload
        let requestId = payload["requestId"]?.stringValue ?? ""
        switch event.type {
        case "agent/input-added":
            turnEnd = nil
            let from = payload["from"]?.stringValue.map { " (from \($0))" } ?? ""
            return "\n> \(payload["content"]?.stringValue ?? "")\(from)\n"
        case "llm/output-delta":
            let text = payload["text"]?.stringValue ?? ""
            streamedText[requestId, default: ""] += text
            return text
        case "llm/response-completed":
            let content = payload["content"]?.stringValue ?? ""
            let streamed = streamedText.removeValue(forKey: requestId) ?? ""
            // Print what did not stream as deltas (providers that answer in one piece).
            let rest = content.hasPrefix(streamed) ? String(content.dropFirst(streamed.count)) : ""
            if payload["toolCalls"]?.arrayValue?.isEmpty ?? true {
                turnEnd = .answered
                return rest + "\n"
            }
            return rest.isEmpty && streamed.isEmpty ? "" : rest + "\n"
        case "tool/call-requested":
            let arguments = payload["arguments"]?.jsonString ?? "{}"
            return "→ \(payload["name"]?.stringValue ?? "?")(\(Self.clip(arguments, 120)))\n"
        case "tool/approval-requested":
            let callId = payload["callId"]?.stringValue ?? ""
            return showApprovalHint ? "? approval needed for \(callId): /approve or /deny [reason]\n" : "? waiting for approval of \(callId) (answer it in an interactive spool chat or the web console)\n"
        case "tool/call-completed":
            let mark = payload["isError"]?.boolValue == true ? "✗" : "←"
            let output = payload["output"]?.stringValue ?? payload["output"]?.jsonString ?? ""
            return "\(mark) \(payload["name"]?.stringValue ?? "?"): \(Self.clip(output, 160))\n"
        case "llm/request-cancelled":
            streamedText[requestId] = nil
            return "\n[cancelled: \(payload["reason"]?.stringValue ?? "")]\n"
        case "llm/request-failed":
            let error = payload["error"]?.stringValue ?? "unknown error"
            // Retryable or not, the agent waits for the next input (or a restart): the turn is over.
            turnEnd = .failed(error)
            return "\n[request failed: \(error)]\n"
        default:
            return ""
        }
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }
}
