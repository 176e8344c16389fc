import Foundation
import SpoolServer
import SpoolTesting
import Testing

/// The listening socket's accept queue, as the kernel reports it (`ss`, from iproute2).
@Suite(.timeLimit(.minutes(3))) struct ListenBacklogTests {
    @Test func theListeningSocketQueuesAsManyConnectionsAsConfigured() async throws {
        let somaxconn = try #require(Int(String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        for backlog in [SpoolServerConfiguration().listenBacklog, 100] {
            let queue = try await TestServer.with(configure: { $0.listenBacklog = backlog }) { server in
                try await Self.acceptQueueLength(port: server.port)
            }
            #expect(queue == min(backlog, somaxconn))
        }
        #expect(SpoolServerConfiguration().listenBacklog >= 4096)
    }

    /// The accept queue's length of the socket listening on `port`: `ss` shows it as Send-Q.
    /// (Started with `ChildProcess`: Foundation's `Process.run()` crashes now and then on Linux.)
    static func acceptQueueLength(port: Int) async throws -> Int {
        let (status, text) = try await ChildProcess.run(
            "/bin/ss", ["--listening", "--tcp", "--numeric", "--no-header", "sport = :\(port)"])
        // State, Recv-Q, Send-Q, local address, peer address.
        let columns = text.split(whereSeparator: \.isWhitespace)
        guard status == 0, columns.count >= 4, let queue = Int(columns[2]) else {
            throw SpoolProcessError("ss printed no listening socket on port \(port) (status \(status)): '\(text)'")
        }
        return queue
    }
}
