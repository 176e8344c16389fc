import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// Each worker runs its JavaScript on its own queue, off the server's I/O
/// threads and the concurrency pool: busy workers slow neither appends nor
/// other workers.
@Suite(.timeLimit(.minutes(2)))
struct WorkerIsolationTests {
    /// Spends about 80 ms in `reduce` on each `demo/spin`, and reports what it has spun.
    static let spinner = """
        export default {
          initialState: { spun: 0 },
          reduce(state, event) {
            if (event.type !== 'demo/spin') return state;
            const until = Date.now() + 80;
            while (Date.now() < until) {}
            return { spun: state.spun + 1 };
          },
          async afterAppend({ event, state, append }) {
            if (event.type === 'demo/spin') await append({ type: 'demo/spun', payload: state });
          }
        }
        """

    @Test func busyWorkersDoNotHoldUpAppendsOrOtherWorkers() async throws {
        try await TestServer.with { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let integration = WorkerIntegrationTests()
            let calm = try StreamPath("/isolation/calm")
            _ = try await integration.deploy(client, calm, name: "counter", source: WorkerIntegrationTests.counter)

            // More busy workers than a small machine has cores (all named "spinner": names are per stream).
            // Each is deployed on a stream with history, so its first event makes it refold two seconds of spinning.
            let busy = try (1...4).map { try StreamPath("/isolation/busy-\($0)") }
            let history = 25
            for path in busy {
                _ = try await client.append(Array(repeating: AppendInput(type: "demo/spin"), count: history), to: path)
                _ = try await integration.deploy(client, path, name: "spinner", source: Self.spinner)
            }
            try await Task.sleep(for: .milliseconds(300))  // the workers load
            for path in busy { try await client.append(AppendInput(type: "demo/spin"), to: path) }

            // A little work for the calm worker, done in milliseconds while each busy one spins for two seconds.
            _ = try await client.append(Array(repeating: AppendInput(type: "demo/ping"), count: 3), to: calm)
            #expect(try await eventually { try await integration.events(client, calm, "demo/pong").count == 3 })
            var refolded = 0
            for path in busy { refolded += try await integration.events(client, path, "demo/spun").count }
            #expect(refolded < busy.count, "the calm worker finished while busy ones were still refolding (\(refolded) of \(busy.count) done)")

            for path in busy {
                #expect(try await eventually(timeout: .seconds(30)) {
                    try await integration.events(client, path, "demo/spun").map { $0.payload["spun"] } == [.int(Int64(history + 1))]
                })
            }
        }
    }
}
