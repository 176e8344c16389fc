import Foundation

/// Many live SSE reads of one stream, for measuring append→delivery latency.
///
/// The load generator shares the machine's cores with the server, so every
/// microsecond it spends per delivery is taken from the fan-out it measures.
/// On Linux the readers are plain sockets on a few threads, each waiting on its
/// share with epoll: measured against the same server, p99 9.0–9.2 ms with such
/// readers (written in C) against 11.2–13.1 ms with NIO channels.
struct LiveSubscribers {
    /// The nodes to read from; subscriber `i` reads from `nodes[i % nodes.count]`.
    let nodes: [RawHTTPLoad]
    let path: String
    let after: Int
    let count: Int
    /// How many threads share the reads.
    let threads: Int

    /// How often the readers collect what has arrived. The kernel stamps each frame as it
    /// arrives (the time measured), so a reader need not be there at that moment. A reader
    /// asleep in `epoll_wait` would be woken by every frame: on loopback the server's `write`
    /// pays for that wake-up, and the reader then takes a core from the fan-out it measures.
    /// Subscribers on other machines cost the server neither. Against one server, p99 at the
    /// socket went from 13.65 · 12.55 ms (reading on every wake-up) to 11.60 · 11.01 ms
    /// (every 5 ms); every 2 ms or 10 ms did no better.
    static let collectionInterval: Duration = .milliseconds(5)

    /// Connects every subscriber, runs `whileReading` while they read, then
    /// waits until each has `expected` bench events or `timeout` has passed.
    /// - Returns: every append→delivery latency, from each event's `sentAt`.
    func measure(
        expected: Int, timeout: Duration, whileReading: () async throws -> Void
    ) async throws -> LiveLatencies {
        #if canImport(Glibc)
        let shares = try await connectAll()
        let stop = StopFlag()
        let deadline = ContinuousClock.now + timeout
        let jobs = shares.map { share in
            { @Sendable in
                try LiveReader(
                    sockets: share, expected: expected, deadline: deadline, stop: stop, collectionInterval: Self.collectionInterval
                ).run()
            }
        }
        return LiveLatencies.joined(try await NewThread.measure(jobs, stop: stop, meanwhile: whileReading))
        #else
        throw BenchError("the live benchmark's readers need Linux (epoll)")
        #endif
    }

    #if canImport(Glibc)
    /// Opens every subscriber's connection, a thread per share.
    /// - Returns: the sockets, one array per reader thread.
    private func connectAll() async throws -> [[SubscriberSocket]] {
        let requests = nodes.map { Array($0.liveRequest(path, after: after).utf8) }
        let outcomes = try await withThrowingTaskGroup(of: Result<[SubscriberSocket], any Error>.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    try await NewThread.run {
                        var opened: [SubscriberSocket] = []
                        do {
                            for subscriber in stride(from: thread, to: count, by: threads) {
                                let node = subscriber % nodes.count
                                opened.append(try .open(host: nodes[node].host, port: nodes[node].port, request: requests[node]))
                            }
                            return .success(opened)
                        } catch {
                            for socket in opened { close(socket.descriptor) }
                            return .failure(error)
                        }
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Every thread's sockets are kept until all have finished, so a failure leaks none.
        var shares: [[SubscriberSocket]] = []
        var failure: (any Error)?
        for outcome in outcomes {
            switch outcome {
            case .success(let share): shares.append(share)
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure {
            for socket in shares.joined() { close(socket.descriptor) }
            throw failure
        }
        return shares
    }
    #endif
}
