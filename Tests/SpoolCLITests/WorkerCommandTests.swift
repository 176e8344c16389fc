import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

@Suite(.timeLimit(.minutes(2)))
struct WorkerCommandTests {
    @Test func deploysAndRemovesAWorker() async throws {
        try await TestServer.with { server in
            let env = ["SPOOL_URL": server.baseURL]
            let file = NSTemporaryDirectory() + "echo-\(UUID().uuidString).js"
            try """
            export default {
              initialState: 0,
              reduce(count, event) { return event.type === 'demo/ping' ? count + 1 : count },
              async afterAppend({ event, state, append }) {
                if (event.type === 'demo/ping') await append({ type: 'demo/pong', payload: { count: state } })
              }
            }
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let deployed = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", file], environment: env)
            #expect(deployed.status == 0, "\(deployed.errors)")
            #expect(deployed.output.contains("deployed worker:echo"))
            let client = SpoolClient(baseURL: server.baseURL)
            let path = try StreamPath("/cli/worker")
            try await client.append(AppendInput(type: "demo/ping"), to: path)
            #expect(try await eventually { try await client.read(path).contains { $0.type == "demo/pong" } })

            let removed = try await SpoolProcess.run(["worker", "rm", "/cli/worker", "echo"], environment: env)
            #expect(removed.status == 0, "\(removed.errors)")
            #expect(try await client.read(path).last?.type == "spool/worker-removed")

            let missing = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", "/nonexistent.js"], environment: env)
            #expect(missing.status != 0)
            #expect(missing.errors.contains("cannot read"))
        }
    }
}
