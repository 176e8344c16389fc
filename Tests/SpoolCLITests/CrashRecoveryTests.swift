import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Synchronization
import Testing

/// `kill -9` during a burst of appends loses no acknowledged event.
@Suite(.timeLimit(.minutes(3)))
struct CrashRecoveryTests {
    final class Acknowledged: Sendable {
        let events = Mutex<[String: Int]>([:])
        func record(_ key: String, offset: Int) { events.withLock { $0[key] = offset } }
        var snapshot: [String: Int] { events.withLock { $0 } }
    }

    @Test func killDuringBurstLosesNoAcknowledgedEvent() async throws {
        let directory = TestServer.temporaryDirectory()
        let server = try await SpoolProcess.serve(dataDirectory: directory)
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
        let path = try StreamPath("/crash/burst")
        let acknowledged = Acknowledged()

        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    var sequence = 0
                    while true {
                        let key = "w\(writer)-\(sequence)"
                        do {
                            let input = try AppendInput(type: "crash/test", payload: ["key": .string(key)], idempotencyKey: key)
                            let event = try await client.append(input, to: path)
                            acknowledged.record(key, offset: event.offset)
                        } catch {
                            return  // the server is gone
                        }
                        sequence += 1
                    }
                }
            }
            // Let the burst run, then pull the plug mid-flight.
            while acknowledged.snapshot.count < 500 { try await Task.sleep(for: .milliseconds(10)) }
            await server.kill()
            try await group.waitForAll()
        }

        let restarted = try await SpoolProcess.serve(dataDirectory: directory)
        defer { restarted.stop() }
        let reader = SpoolClient(baseURL: restarted.baseURL)
        var stored: [Event] = []
        while true {
            let page = try await reader.read(path, after: stored.last?.offset ?? 0, limit: 10_000)
            stored += page
            if page.count < 10_000 { break }
        }
        let storedOffsets = Dictionary(uniqueKeysWithValues: stored.map { ($0.idempotencyKey ?? "", $0.offset) })
        let expected = acknowledged.snapshot
        #expect(expected.count >= 500)
        for (key, offset) in expected {
            #expect(storedOffsets[key] == offset, "acknowledged \(key) at offset \(offset) was lost")
        }
        #expect(stored.map(\.offset) == Array(1...stored.count), "offsets are gapless after recovery")
    }
}
