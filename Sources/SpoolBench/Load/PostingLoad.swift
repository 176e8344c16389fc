import Foundation

/// Many connections POSTing to streams at once, each sending its requests one
/// after another, for measuring append latency and throughput.
///
/// The load generator shares the machine's cores with the server, so every
/// microsecond it spends per request is taken from the server it measures. On
/// Linux the connections are plain sockets on a few threads, each waiting on
/// its share with epoll, as `wrk` does.
struct PostingLoad: Sendable {
    /// Where one connection sends its requests.
    struct Target: Sendable {
        let node: RawHTTPLoad
        let path: String
    }

    let targets: [Target]
    let requestsPerConnection: Int
    let body: PostBody
    /// A pause between a response and the next request on its connection.
    var pause: Duration?
    /// Threads sharing the connections. One keeps the generator off the server's
    /// second core; measured against `wrk -t1`, it is what loads a 2-core server best.
    var threads = 1

    /// Sends every request and waits for every response.
    /// - Returns: each request's latency in nanoseconds.
    /// - Throws: `BenchError` as soon as any request fails; the other threads stop too.
    func run() async throws -> [UInt64] {
        #if canImport(Glibc)
        let stop = StopFlag()
        let pauseNanoseconds = pause.map { UInt64($0.components.seconds) * 1_000_000_000 + UInt64($0.components.attoseconds / 1_000_000_000) }
        let threadCount = max(1, min(threads, targets.count))
        let jobs = (0..<threadCount).map { thread in
            let share = stride(from: thread, to: targets.count, by: threadCount).map { targets[$0] }
            let posting = PostingThread(
                targets: share, requestsPerConnection: requestsPerConnection, body: body, pauseNanoseconds: pauseNanoseconds, stop: stop)
            return { @Sendable in try posting.run() }
        }
        return try await NewThread.measure(jobs, stop: stop).flatMap { $0 }
        #else
        throw BenchError("the load generator needs Linux (epoll)")
        #endif
    }
}
