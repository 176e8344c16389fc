import Foundation

/// Drains a child's pipe on its own thread from the moment the child starts,
/// so a chatty child never blocks on a full pipe, and waiters can give up at a
/// deadline instead of hanging on a child that never closes its end.
final class PipeCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var collected = Data()
    private var consumed = 0
    private var ended = false

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { ended = true } else { collected.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }.start()
    }

    /// Everything read so far.
    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Waits until `isSatisfied(text, ended)` holds or the deadline passes; returns whether it held.
    @discardableResult
    func wait(until deadline: Date, for isSatisfied: (_ text: String, _ ended: Bool) -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !isSatisfied(String(decoding: collected, as: UTF8.self), ended) {
            if !condition.wait(until: deadline) { return isSatisfied(String(decoding: collected, as: UTF8.self), ended) }
        }
        return true
    }

    /// Waits until the pipe reaches end of file or the deadline passes.
    @discardableResult
    func waitForEnd(until deadline: Date) -> Bool {
        wait(until: deadline) { _, ended in ended }
    }

    /// What arrived since the last call, waiting (until the deadline) for something new or the end.
    func takeUnread(waitingUntil deadline: Date) -> String {
        wait(until: deadline) { [unowned self] _, ended in ended || collected.count > consumed }
        condition.lock()
        defer { condition.unlock() }
        let unread = collected[consumed...]
        consumed = collected.count
        return String(decoding: unread, as: UTF8.self)
    }
}
