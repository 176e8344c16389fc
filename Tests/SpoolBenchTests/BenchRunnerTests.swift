import Foundation
import SpoolClient
import SpoolTesting
import Testing

@testable import SpoolBench

/// A small run of the append and catch-up phases against a real server on loopback.
@Suite struct BenchRunnerTests {
    @Test func appendAndCatchUpPhasesStoreWhatTheyReport() async throws {
        try await TestServer.with { server in
            let (report, runPrefix) = try await LiveBenchTests.run([.latency, .throughput, .catchUp], on: server)
            let rows = Dictionary(report.rows.map { ($0.metric, $0.value) }, uniquingKeysWith: { first, _ in first })
            #expect(rows["append latency p99 (1 client)"]?.hasSuffix(" ms") == true)
            #expect(rows["append throughput, 8 clients, single"]?.hasSuffix(" events/s") == true)
            #expect(rows["append throughput, 8 clients, batches of 100"]?.hasSuffix(" events/s") == true)
            #expect(rows["catch-up read, 20,001 events as NDJSON"]?.hasSuffix(" events/s") == true)

            // Each stream holds the circuit-breaker setting, then what the phase appended.
            let streams = try await SpoolClient(baseURL: server.baseURL).streams(prefix: runPrefix)
            let heads = Dictionary(uniqueKeysWithValues: streams.map { ($0.path.rawValue.replacingOccurrences(of: runPrefix, with: ""), $0.headOffset) })
            #expect(heads["/sequential"] == 1 + 50 + 200)
            #expect((0..<8).allSatisfy { heads["/concurrent/1/\($0)"] == 1 + 50 })
            #expect((0..<8).allSatisfy { heads["/concurrent/100/\($0)"] == 1 + 2 * 100 })
            #expect(heads["/catch-up"] == 20_001)
        }
    }
}
