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
        if trimmed.hasPrefix("/approve") || trimmed.hasPrefix("/deny") {
            let words = trimmed.split(separator: " ", maxSplits: 2).map(String.init)
            let granted = words[0] == "/approve"
            guard let callId = words.count > 1 ? words[1] : pending.withLock({ $0.approvals.first }) else {
                printFlushed("(no tool call is waiting for approval)")
                return true
            }
            var payload: JSONObject = ["callId": .string(callId)]
            if !granted, words.count > 2 { payload["reason"] = .string(words[2]) }
            try await client.append(
                AppendInput(type: granted ? "tool/approval-granted" : "tool/approval-denied", payload: .object(payload)), to: path)
            return true
        }
        try await client.append(AppendInput(type: "agent/input-added", payload: ["content": .string(trimmed)]), to: path)
        return true
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
