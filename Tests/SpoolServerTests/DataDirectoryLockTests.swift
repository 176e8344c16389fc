import AsyncHTTPClient
import Foundation
import SpoolServer
import SpoolTesting
import Testing

/// One server at a time on a SQLite data directory.
@Suite(.timeLimit(.minutes(3))) struct DataDirectoryLockTests {
    @Test func aSecondServerOnTheSameDirectoryIsRefusedUntilTheFirstStops() async throws {
        let directory = TestServer.temporaryDirectory()
        try await TestServer.with(dataDirectory: directory) { _ in
            let error = await #expect(throws: ConfigurationError.self) {
                try await TestServer.with(dataDirectory: directory) { _ in }
            }
            #expect(error?.message.contains("another Spool server (pid \(getpid())) is serving") == true)
        }
        // The first has shut down: the directory is free again.
        let health = try await TestServer.with(dataDirectory: directory) { server in
            try await HTTPClient.shared.get(url: server.baseURL + "/health").get().status.code
        }
        #expect(health == 200)
    }

    @Test func aDirectoryThatCannotBeMadeIsAClearError() async throws {
        let file = TestServer.temporaryDirectory() + "/a-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let error = await #expect(throws: ConfigurationError.self) {
            try await TestServer.with(dataDirectory: file + "/data") { _ in }
        }
        #expect(error?.message == "cannot create the data directory \(file)/data: Not a directory")
    }

    @Test func serversOnOtherDirectoriesRunSideBySide() async throws {
        try await TestServer.with { first in
            try await TestServer.with { second in
                #expect(first.dataDirectory != second.dataDirectory)
            }
        }
    }
}
