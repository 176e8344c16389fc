import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// A worker whose JavaScript holds more memory than its limit is stopped at once, its sandbox
/// dropped; the server and the other workers carry on. Each worker here allocates a bounded
/// amount (64 or 128 MiB at most), so that without a limit it ends by itself.
@Suite(.timeLimit(.minutes(2)))
struct WorkerMemoryLimitTests {
    static let limit = 8 << 20

    /// Keeps 1 MiB more in a module variable at each `demo/ping` it reacts to (64 at most).
    static let hoarder = """
        const kept = [];
        export default {
          initialState: 0,
          reduce(s) { return s },
          async afterAppend({ event, append }) {
            if (event.type !== 'demo/ping' || kept.length >= 64) return;
            kept.push(new Array(131072).fill(kept.length + 0.5));
            await append({ type: 'demo/kept', payload: { mib: kept.length } });
          }
        }
        """

    /// Keeps 4,096 arrays of 32 KiB (128 MiB) in one `afterAppend`.
    static let spike = """
        export default {
          initialState: 0,
          reduce(s) { return s },
          async afterAppend({ event, append }) {
            if (event.type !== 'demo/ping') return;
            const kept = [];
            for (let i = 0; i < 4096; i++) kept.push(new Array(4096).fill(i + 0.5));
            await append({ type: 'demo/spiked', payload: { arrays: kept.length } });
          }
        }
        """

    /// Keeps 1 MiB more in a module variable at each `demo/ping` it reduces (64 at most), and has no `afterAppend`.
    static let reducer = """
        const kept = [];
        export default {
          initialState: 0,
          reduce(s, e) {
            if (e.type === 'demo/ping' && kept.length < 64) kept.push(new Array(131072).fill(s + 0.5));
            return s + 1;
          }
        }
        """

    /// Deploys `source` as `name` on `stream`, appends `pings` pings and returns the worker's
    /// `spool/worker-failed` and `spool/worker-stopped` events once it is stopped (or after 10 s).
    func stopped(_ client: SpoolClient, _ stream: String, name: String, source: String, pings: Int) async throws -> (failed: [Event], stopped: [Event]) {
        let workers = WorkerIntegrationTests()
        let path = try StreamPath(stream)
        _ = try await workers.deploy(client, path, name: name, source: source)
        _ = try await client.append(Array(repeating: AppendInput(type: "demo/ping"), count: pings), to: path)
        _ = try await eventually { try await !workers.events(client, path, "spool/worker-stopped").isEmpty }
        return (try await workers.events(client, path, "spool/worker-failed"), try await workers.events(client, path, "spool/worker-stopped"))
    }

    @Test func aWorkerOverItsMemoryLimitIsStoppedAndTheOthersCarryOn() async throws {
        try await TestServer.with(configure: { $0.workerLimits.maximumMemoryBytes = Self.limit }) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let workers = WorkerIntegrationTests()
            let calm = try StreamPath("/memory/calm")
            _ = try await workers.deploy(client, calm, name: "counter", source: WorkerIntegrationTests.counter)
            try await workers.ping(client, calm)
            #expect(try await eventually { try await workers.events(client, calm, "demo/pong").count == 1 })

            let cases: [(stream: String, name: String, source: String, stage: String)] = [
                ("/memory/across-calls", "hoarder", Self.hoarder, "in afterAppend on demo/ping"),
                ("/memory/one-call", "spike", Self.spike, "in afterAppend on demo/ping"),
                ("/memory/reduce", "reducer", Self.reducer, "in reduce on demo/ping"),
            ]
            for item in cases {
                let (failed, stopped) = try await stopped(client, item.stream, name: item.name, source: item.source, pings: 40)
                #expect(failed.count == 1, "stopped at its first memory failure: \(failed.map(\.payload))")
                let message = failed.first?.payload["error"]?.stringValue ?? ""
                #expect(message.hasPrefix("worker \(item.name) used "), "\(message)")
                #expect(message.contains("MiB of memory, over its limit of 8 MiB (\(item.stage) at offset "), "\(message)")
                #expect(stopped.count == 1)
                let reason = stopped.first?.payload["reason"]?.stringValue ?? ""
                #expect(reason.contains("over its limit of 8 MiB; deploy a fixed version to start it again"), "\(reason)")

                // It stays stopped, and the server and the calm worker carry on.
                let path = try StreamPath(item.stream)
                try await workers.ping(client, path)
                let pongs = try await workers.events(client, calm, "demo/pong").count
                try await workers.ping(client, calm)
                #expect(try await eventually { try await workers.events(client, calm, "demo/pong").count == pongs + 1 })
                #expect(try await workers.events(client, path, "spool/worker-failed").count == 1)
                try await client.health()
            }
            let path = try StreamPath("/memory/across-calls")
            let kept = try await workers.events(client, path, "demo/kept").count
            #expect(kept >= 1 && kept < 40, "it ran until it held too much: \(kept) MiB kept")
            #expect(try await workers.events(client, try StreamPath("/memory/one-call"), "demo/spiked").isEmpty, "stopped within the call")
        }
    }

    /// A worker that only allocates garbage, far more than its limit in all, keeps running.
    @Test func garbageDoesNotStopAWorker() async throws {
        try await TestServer.with(configure: { $0.workerLimits.maximumMemoryBytes = Self.limit }) { server in
            let client = SpoolClient(baseURL: server.baseURL)
            let workers = WorkerIntegrationTests()
            let path = try StreamPath("/memory/churn")
            let churn = """
                export default {
                  initialState: 0,
                  reduce(s) { return s },
                  async afterAppend({ event, append }) {
                    if (event.type !== 'demo/ping') return;
                    let sum = 0;
                    for (let i = 0; i < 2048; i++) { const a = new Array(4096).fill(i); sum += a[i % 4096]; }
                    await append({ type: 'demo/churned', payload: { sum } });
                  }
                }
                """
            _ = try await workers.deploy(client, path, name: "churn", source: churn)
            for _ in 0..<8 { try await workers.ping(client, path) }  // 64 MiB of arrays a ping, one at a time
            #expect(try await eventually(timeout: .seconds(30)) { try await workers.events(client, path, "demo/churned").count == 8 })
            #expect(try await workers.events(client, path, "spool/worker-failed").isEmpty)
        }
    }
}
