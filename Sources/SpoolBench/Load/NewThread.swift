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
    /// - Returns: every job's latencies, joined.
    static func measure(
        _ jobs: [@Sendable () throws -> [UInt64]], stop: StopFlag, meanwhile: () async throws -> Void = {}
    ) async throws -> [UInt64] {
        try await withThrowingTaskGroup(of: [UInt64].self) { group in
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
            var latencies: [UInt64] = []
            for try await measured in group { latencies += measured }
            return latencies
        }
    }
}
