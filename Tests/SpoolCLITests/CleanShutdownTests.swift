import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Testing

/// A server stopped with SIGTERM leaves every event in `spool.sqlite` itself (the log moved
/// in and emptied): a backup of that file alone, taken after the stop, is whole.
@Suite(.timeLimit(.minutes(2)))
struct CleanShutdownTests {
    @Test func theDatabaseFileAloneHoldsEveryEventAfterAStop() async throws {
        let directory = TestServer.temporaryDirectory()
        let server = try await SpoolProcess.serve(dataDirectory: directory)
        defer { server.stop() }
        let client = SpoolClient(baseURL: server.baseURL, httpClient: failFastHTTPClient)
        let path = try StreamPath("/backup/1")
        for index in 1...5 { try await client.append(AppendInput(type: "test/n", payload: ["n": .int(Int64(index))]), to: path) }
        #expect(await server.terminate() == 0)
        let log = (try? FileManager.default.attributesOfItem(atPath: directory + "/spool.sqlite-wal")[.size] as? Int) ?? 0
        #expect(log == 0, "the log still holds \(log) bytes")

        let backup = TestServer.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: directory + "/spool.sqlite", toPath: backup + "/spool.sqlite")
        let restored = try await SpoolProcess.serve(dataDirectory: backup)
        defer { restored.stop() }
        let events = try await SpoolClient(baseURL: restored.baseURL, httpClient: failFastHTTPClient).read(path)
        #expect(events.map { $0.payload["n"] } == [1, 2, 3, 4, 5])
        _ = await restored.terminate()
    }
}
