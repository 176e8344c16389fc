import SpoolCore
import SpoolStore
import Synchronization

/// A `LiveSink` that keeps what it is given, as a connection would write it. Told to, it
/// falls behind once after writing `fallingBehindAfter` events and hands the read back.
final class RecordingSink: LiveSink {
    private struct State {
        var active = false
        var cursor = 0
        var written: [Event] = []
        var starts = 0
        var fallingBehindAfter: Int?
        var handBack: (@Sendable () -> Void)?
    }

    private let key: LiveTail.CursorKey
    private let state: Mutex<State>

    init(key: LiveTail.CursorKey = .offset, fallingBehindAfter: Int? = nil) {
        self.key = key
        state = Mutex(State(fallingBehindAfter: fallingBehindAfter))
    }

    /// What the sink wrote, in order.
    var written: [Event] { state.withLock { $0.written } }
    /// How often the tail handed the read to the sink.
    var starts: Int { state.withLock { $0.starts } }
    /// Whether the sink takes events now.
    var isActive: Bool { state.withLock { $0.active } }

    func start(after cursor: Int, fallingBehind: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            state.active = true
            state.cursor = cursor
            state.starts += 1
            state.handBack = fallingBehind
        }
        return true
    }

    func receive(_ events: [Event]) {
        let handBack: (@Sendable () -> Void)? = state.withLock { state in
            guard state.active else { return nil }
            for event in events where key.of(event) > state.cursor {
                if let limit = state.fallingBehindAfter, state.written.count >= limit {
                    state.active = false
                    state.fallingBehindAfter = nil
                    return state.handBack
                }
                state.written.append(event)
                state.cursor = key.of(event)
            }
            return nil
        }
        handBack?()
    }

    func stop() async -> Int {
        state.withLock { state in
            state.active = false
            return state.cursor
        }
    }
}
