import Synchronization

/// Which processors run on this node now, each with the number of its run.
///
/// On a store shared by several nodes a processor runs only where its lease is
/// held, so services that act on a processor's behalf (the scheduler firing
/// what is due) must act only there. Every start here gets a new run number,
/// so a service sees a takeover even when it missed the gap before it.
final class ProcessorResidency: Sendable {
    private struct Runs {
        /// The numbers of the runs going on, by processor name (dynamic workers of
        /// different streams may share a name and run at once).
        var current: [String: [Int]] = [:]
        var lastNumber = 0
    }

    private let runs = Mutex(Runs())

    /// Runs `body` as a run of the processor `name`: it counts as running here from
    /// just before `body` starts until just after it ends.
    func running(_ name: String, _ body: () async throws -> Void) async throws {
        let number = runs.withLock { runs in
            runs.lastNumber += 1
            runs.current[name, default: []].append(runs.lastNumber)
            return runs.lastNumber
        }
        defer {
            runs.withLock { runs in
                runs.current[name]?.removeAll { $0 == number }
                if runs.current[name]?.isEmpty == true { runs.current[name] = nil }
            }
        }
        try await body()
    }

    /// The number of the processor's latest run going on here; `nil` when it does not run here.
    func currentRun(of name: String) -> Int? {
        runs.withLock { $0.current[name]?.last }
    }

    /// Runs `body` unless the processor runs here, with no run starting meanwhile.
    /// - Returns: whether `body` ran.
    func unlessRunning(_ name: String, _ body: () -> Void) -> Bool {
        runs.withLock { runs in
            guard runs.current[name] == nil else { return false }
            body()
            return true
        }
    }
}
