import Foundation

/// Runs blocking work (a load generator's socket loop) on a thread of its own,
/// so it neither blocks Swift's cooperative pool nor waits for a turn on it.
enum NewThread {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Runs each measuring job on a thread of its own, and `meanwhile` here.
    /// When any of them fails, `stop` is set so the other jobs end early.
    /// - Returns: every job's result, in the order they finished.
    static func measure<Measured: Sendable>(
        _ jobs: [@Sendable () throws -> Measured], stop: StopFlag, meanwhile: () async throws -> Void = {}
    ) async throws -> [Measured] {
        try await withThrowingTaskGroup(of: Measured.self) { group in
            for job in jobs {
                group.addTask {
                    do {
                        return try await run(job)
                    } catch {
                        stop.set()
                        throw error
                    }
                }
            }
            do {
                try await meanwhile()
            } catch {
                stop.set()
                throw error
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Puts the calling thread to sleep for `duration` (not at all if it is not positive).
    static func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
    }
}
