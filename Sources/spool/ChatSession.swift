import Foundation
import SpoolClient
import SpoolCore
import Synchronization

/// The interactive side of `spool chat`: what the person types, and which
/// request and approvals are pending (learnt from the agent's events).
final class ChatSession: Sendable {
    let path: StreamPath
    let client: SpoolClient
    private let pending = Mutex<(activeRequest: String?, approvals: [String])>((nil, []))

    init(path: StreamPath, client: SpoolClient) {
        self.path = path
        self.client = client
    }

    func observe(_ event: Event) {
        let payload = event.payload
        pending.withLock { pending in
            switch event.type {
            case "llm/request-started": pending.activeRequest = payload["requestId"]?.stringValue
            case "llm/response-completed", "llm/request-failed", "llm/request-cancelled": pending.activeRequest = nil
            case "tool/approval-requested": if let id = payload["callId"]?.stringValue { pending.approvals.append(id) }
            case "tool/approval-granted", "tool/approval-denied", "tool/call-completed":
                pending.approvals.removeAll { $0 == payload["callId"]?.stringValue }
            default: break
            }
        }
    }

    /// Handles a typed line; false means leave.
    func handle(_ line: String) async throws -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return true }
        if trimmed == "/quit" || trimmed == "/exit" { return false }
        if let answer = ApprovalCommand(trimmed) {
            try await answerApproval(answer)
            return true
        }
        try await client.append(AppendInput(type: "agent/input-added", payload: ["content": .string(trimmed)]), to: path)
        return true
    }

    /// Takes in what the agent's state says is pending when the session starts (an approval a
    /// one-turn `spool chat --message` left waiting, say), and prints the approvals.
    func seed(activeRequest: String?, approvals: [String]) {
        pending.withLock { pending in
            pending.activeRequest = activeRequest
            pending.approvals = approvals
        }
        for callId in approvals { printFlushed("? approval needed for \(callId): /approve or /deny [reason]") }
    }

    /// `/approve [CALL]` or `/deny [CALL] [reason]`: the call named, or else the oldest waiting one.
    private func answerApproval(_ command: ApprovalCommand) async throws {
        let waiting = pending.withLock { $0.approvals }
        var callId = waiting.first
        var reason = command.rest
        if let first = command.words.first, waiting.contains(first) {
            callId = first
            reason = command.words.dropFirst().joined(separator: " ")
        } else if command.granted, let first = command.words.first {
            let list = waiting.isEmpty ? "none is" : waiting.joined(separator: ", ") + (waiting.count == 1 ? " is" : " are")
            printFlushed("(no tool call \(first) is waiting for approval; \(list))")
            return
        }
        guard let callId else {
            printFlushed("(no tool call is waiting for approval)")
            return
        }
        var payload: JSONObject = ["callId": .string(callId)]
        if !command.granted, !reason.isEmpty { payload["reason"] = .string(reason) }
        // Answered now: the next command must not answer it again before the event comes back.
        pending.withLock { $0.approvals.removeAll { $0 == callId } }
        try await client.append(
            AppendInput(type: command.granted ? "tool/approval-granted" : "tool/approval-denied", payload: .object(payload)), to: path)
    }

    /// Ctrl-C: cancel the answer being written, or leave when there is none.
    func interrupt() async throws {
        guard let requestId = pending.withLock({ $0.activeRequest }) else {
            printFlushed("")
            Foundation.exit(0)
        }
        try await client.append(
            AppendInput(type: "llm/request-cancelled", payload: ["requestId": .string(requestId), "reason": "cancelled by the user"]), to: path)
    }
}

/// A typed `/approve …` or `/deny …`: the words after the command.
struct ApprovalCommand: Equatable {
    var granted: Bool
    var words: [String]
    /// The words after the command as typed (a reason keeps its spacing).
    var rest: String

    init?(_ line: String) {
        let command = line.prefix { !$0.isWhitespace }
        guard command == "/approve" || command == "/deny" else { return nil }
        granted = command == "/approve"
        rest = line.dropFirst(command.count).trimmingCharacters(in: .whitespaces)
        words = rest.split(separator: " ").map(String.init)
    }
}

/// Lines typed on standard input, read on their own thread.
struct StandardInputLines: AsyncSequence, Sendable {
    typealias Element = String

    func makeAsyncIterator() -> AsyncStream<String>.Iterator {
        let (lines, continuation) = AsyncStream<String>.makeStream()
        Thread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }.start()
        return lines.makeAsyncIterator()
    }
}

/// SIGINT presses, as an async sequence (the default handler would kill the process).
struct InterruptSignals: AsyncSequence, Sendable {
    typealias Element = Void

    func makeAsyncIterator() -> AsyncStream<Void>.Iterator {
        let (presses, continuation) = AsyncStream<Void>.makeStream()
        signal(SIGINT, SIG_IGN)
        let holder = SignalSourceHolder(DispatchSource.makeSignalSource(signal: SIGINT, queue: .global()))
        holder.source.setEventHandler { continuation.yield() }
        holder.source.resume()
        continuation.onTermination = { _ in holder.source.cancel() }
        return presses.makeAsyncIterator()
    }
}

/// Keeps the signal source alive while its presses are read; Dispatch's sources are thread-safe.
private final class SignalSourceHolder: @unchecked Sendable {
    let source: any DispatchSourceSignal
    init(_ source: any DispatchSourceSignal) { self.source = source }
}
