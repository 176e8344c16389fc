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
            for (stream, name) in [("/cli/worker", "echo"), ("/cli/worker", "other"), ("/cli/nowhere", "echo")] {
                let again = try await SpoolProcess.run(["worker", "rm", stream, name], environment: env)
                #expect(again.status != 0, "\(stream) \(name): \(again.output)")
                #expect(again.errors.contains("no worker \(name) is deployed on \(stream) (none is)"), "\(again.errors)")
            }
            #expect(try await client.read(path).filter { $0.type == "spool/worker-removed" }.count == 1)

            // What the server would refuse is refused before anything is appended.
            let before = try await client.read(path).count
            for (name, extra) in [("bad name", [String]()), ("echo", ["--timeout-ms", "0"])] {
                let refused = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", name, file] + extra, environment: env)
                #expect(refused.status != 0)
                #expect(refused.errors.contains("(invalid_event)"), "\(refused.errors)")
            }
            #expect(try await client.read(path).count == before, "nothing appended")
            let broken = NSTemporaryDirectory() + "broken-\(UUID().uuidString).js"
            try "export default {\n  initialState: 0,\n  reduce(s) { return s +; }\n}\n".write(toFile: broken, atomically: true, encoding: .utf8)
            let shapeless = NSTemporaryDirectory() + "shapeless-\(UUID().uuidString).js"
            try "export default { initialState: 1 }\n".write(toFile: shapeless, atomically: true, encoding: .utf8)

            // So is a source that would not start, checked here as the server would load it: appended,
            // it would replace the version that runs, and stop it.
            #expect(try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", file], environment: env).status == 0)
            let running = try await client.read(path).count
            let syntax = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", broken], environment: env)
            #expect(syntax.status == 1)
            #expect(
                syntax.errors.hasPrefix("error: worker:echo was not deployed (nothing was appended; a running version keeps running): SyntaxError"),
                "\(syntax.errors)")
            #expect(syntax.errors.contains("(line 3"), "\(syntax.errors)")
            let noReduce = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", shapeless], environment: env)
            #expect(noReduce.status == 1 && noReduce.errors.contains("the worker has no reduce(state, event) function"), "\(noReduce.errors)")
            #expect(try await client.read(path).count == running, "nothing appended")
            try await client.append(AppendInput(type: "demo/ping"), to: path)
            #expect(try await eventually { try await client.read(path).filter { $0.type == "demo/pong" }.count == 2 }, "the running version answered")

            let missing = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", "/nonexistent.js"], environment: env)
            #expect(missing.status != 0)
            #expect(missing.errors == "error: cannot read /nonexistent.js: no such file\n", "\(missing.errors)")
            let directory = try await SpoolProcess.run(["worker", "deploy", "/cli/worker", "echo", "/tmp"], environment: env)
            #expect(directory.status != 0)
            #expect(directory.errors == "error: cannot read /tmp: it is a directory\n", "\(directory.errors)")
        }
    }

    /// JavaScriptCore (and the GLib and ICU it brings, about 6 MB) is opened when the first
    /// sandbox is made, so a server that runs no worker never maps it.
    @Test func javaScriptCoreIsOpenedOnlyWhenAWorkerRuns() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory())
        defer { server.stop() }
        let maps = "/proc/\(server.process.processIdentifier)/maps"
        // Read to the end: /proc files report no size, and a sized read stops short.
        func mapsJavaScriptCore() throws -> Bool {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: maps))
            defer { try? handle.close() }
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self).contains("libjavascriptcoregtk")
        }
        let client = SpoolClient(baseURL: server.baseURL)
        try await client.append(AppendInput(type: "demo/ping"), to: StreamPath("/cli/lazy"))
        #expect(try !mapsJavaScriptCore())

        let file = NSTemporaryDirectory() + "count-\(UUID().uuidString).js"
        try "export default { initialState: 0, reduce(count) { return count + 1 } }".write(toFile: file, atomically: true, encoding: .utf8)
        let deployed = try await SpoolProcess.run(["worker", "deploy", "/cli/lazy", "count", file], environment: ["SPOOL_URL": server.baseURL])
        #expect(deployed.status == 0, "\(deployed.errors)")
        #expect(try await eventually { try mapsJavaScriptCore() })
        _ = await server.terminate()
    }
}
