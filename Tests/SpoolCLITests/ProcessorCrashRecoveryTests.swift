import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// `kill -9` while a processor is mid-way: after restart every ping has exactly one pong.
@Suite(.timeLimit(.minutes(3)))
struct ProcessorCrashRecoveryTests {
    @Test func killedMidWayEveryEventGetsExactlyOneReaction() async throws {
        let directory = TestServer.temporaryDirectory()
        let path = try StreamPath("/demo/crash")
        let pings = 3000
        let server = try await SpoolProcess.serve(dataDirectory: directory, extraArguments: ["--demo", "--circuit-breaker", "100000/1s"])
        let client = SpoolClient(baseURL: server.baseURL)
        for batch in 0..<(pings / 500) {
            let inputs = try (0..<500).map { index in
                try AppendInput(type: "demo/ping", payload: ["n": .int(Int64(batch * 500 + index))])
            }
            try await client.append(inputs, to: path)
        }
        func events(_ client: SpoolClient) async throws -> [Event] {
            var events: [Event] = []
            while true {
                let page = try await client.read(path, after: events.last?.offset ?? 0, limit: 10_000)
                events += page
                if page.count < 10_000 { break }
            }
            return events
        }
        func pongs(_ client: SpoolClient) async throws -> [Event] {
            try await events(client).filter { $0.type == "demo/pong" }
        }
        #expect(try await eventually(timeout: .seconds(60)) { try await pongs(client).count >= 100 })
        await server.kill()

        let restarted = try await SpoolProcess.serve(dataDirectory: directory, extraArguments: ["--demo", "--circuit-breaker", "100000/1s"])
        defer { restarted.stop() }
        let reader = SpoolClient(baseURL: restarted.baseURL)
        #expect(try await eventually(timeout: .seconds(90)) { try await pongs(reader).count >= pings })
        let all = try await events(reader)
        let answered = all.filter { $0.type == "demo/pong" }.compactMap { $0.payload["pingOffset"]?.intValue }
        let pingOffsets = all.filter { $0.type == "demo/ping" }.map { Int64($0.offset) }
        #expect(answered.count == pings, "exactly one pong per ping, none twice")
        let answeredEveryPing = Set(answered) == Set(pingOffsets)
        #expect(answeredEveryPing)
    }
}
