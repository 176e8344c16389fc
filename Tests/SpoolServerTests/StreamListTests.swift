import Foundation
import SpoolCore
import Testing

/// `GET /streams?prefix=`: which streams exist, with their head offsets and times.
@Suite(.timeLimit(.minutes(3))) struct StreamListTests {
    @Test func listsOnlyStreamsUnderThePrefix() async throws {
        try await withSpoolServer { http in
            try await http.append("/a", type: "t")
            try await http.append("/a/x", type: "t")
            try await http.append("/a/x", type: "t")
            try await http.append("/a/y/z", type: "t")
            try await http.append("/ab", type: "t")
            try await http.append("/b/a", type: "t")

            let result = try await http.get("/streams?prefix=/a")
            #expect(result.status == 200)
            #expect(result.header("Content-Type")?.hasPrefix("application/json") == true)
            let streams = try #require(try result.json().arrayValue)
            #expect(streams.map { $0["path"] } == ["/a", "/a/x", "/a/y/z"])
            #expect(streams.map { $0["headOffset"] } == [1, 2, 1])
            for stream in streams {
                #expect(stream.objectValue.map { Set($0.keys) } == ["path", "headOffset", "createdAt", "updatedAt", "paused"])
                #expect(stream["paused"] == false)
                let created = try #require(stream["createdAt"]?.stringValue)
                let updated = try #require(stream["updatedAt"]?.stringValue)
                #expect(isTimestampWithMilliseconds(created) && isTimestampWithMilliseconds(updated))
                #expect(created <= updated)
            }
        }
    }

    @Test func withoutPrefixListsEverything() async throws {
        try await withSpoolServer { http in
            #expect(try await http.get("/streams").json() == [])
            try await http.append("/b", type: "t")
            try await http.append("/a/x", type: "t")
            let streams = try #require(try await http.get("/streams").json().arrayValue)
            #expect(streams.map { $0["path"] } == ["/a/x", "/b"])
            #expect(try await http.get("/streams?prefix=/").json() == .array(streams))
            #expect(try await http.get("/streams?prefix=/nothing").json() == [])
        }
    }

    /// Longer than a page (1,000 streams): every stream once, in order, in every format.
    @Test func aListingOfManyPagesIsWholeInEveryFormat() async throws {
        try await withSpoolServer { http in
            let paths = (0..<2_345).map { String(format: "/many/%05d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for path in stride(from: worker, to: paths.count, by: 8).map({ paths[$0] }) {
                            _ = try await http.append(path, type: "t")
                        }
                    }
                }
                try await group.waitForAll()
            }
            _ = try await http.append("/manyx", type: "t")  // outside the prefix

            let json = try #require(try await http.get("/streams?prefix=/many").json().arrayValue)
            #expect(json.map { $0["path"]?.stringValue ?? "" } == paths)
            let ndjson = try await http.get("/streams?prefix=/many&format=ndjson").text.split(separator: "\n")
            #expect(ndjson.map { try? JSONValue.parse(String($0))["path"]?.stringValue } == paths)
            let yaml = try await http.get("/streams?prefix=/many&format=yaml").text
            #expect(yaml.components(separatedBy: "---\n").dropFirst().map { $0.hasPrefix("path: ") } == Array(repeating: true, count: paths.count))
        }
    }

    @Test func invalidPrefixIsRefused() async throws {
        try await withSpoolServer { http in
            try expectError(try await http.get("/streams?prefix=/a/../b"), status: 400, code: "invalid_path")
        }
    }
}
