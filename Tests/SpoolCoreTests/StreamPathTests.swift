import SpoolCore
import Testing

/// Stream path validation and normalisation.
@Suite(.timeLimit(.minutes(3))) struct StreamPathTests {
    static let validPaths: [String] = [
        "/agents", "/agents/ada", "/agents/ada/subtasks/1", "/slack/incoming", "/A-Z_a-z.0-9~",
        "/a/.../b", "/.hidden", "/..x", "/x..", "/~", "/-", "/_",
    ]

    @Test(arguments: validPaths)
    func acceptsValidPathsUnchanged(text: String) throws {
        #expect(try StreamPath(text).rawValue == text)
    }

    @Test(arguments: [
        ("agents/ada", "/agents/ada"), ("/agents/ada/", "/agents/ada"), ("agents/ada/", "/agents/ada"), ("x", "/x"),
    ])
    func normalisesLeadingAndTrailingSlashes(text: String, canonical: String) throws {
        #expect(try StreamPath(text).rawValue == canonical)
        #expect(try StreamPath(text) == StreamPath(canonical))
    }

    static let invalidPaths: [String] = [
        "", "/", "//", "//agents", "/agents//ada", "/agents/ada//", "/./agents", "/agents/.", "/agents/../etc", "/..",
        "/a b", "/a%20b", "/a?b", "/a#b", "/a:b", "/a+b", "/a*b", "/a@b", "/a\\b", "/é", "/a\u{0}b", "/a\nb", "/a\tb",
        "/agents/ada!",
    ]

    @Test(arguments: invalidPaths)
    func refusesInvalidPaths(text: String) throws {
        let error = try #require(throws: SpoolError.self) { try StreamPath(text) }
        #expect(error.code == .invalidPath)
    }

    @Test func errorNamesTheBadSegment() throws {
        let badCharacter = try #require(throws: SpoolError.self) { try StreamPath("/agents/ada smith/inbox") }
        #expect(badCharacter.message.contains("'ada smith'"))
        let dotDot = try #require(throws: SpoolError.self) { try StreamPath("/agents/../x") }
        #expect(dotDot.message.contains("'..'"))
    }

    @Test func segmentsMayHaveUpTo128Characters() throws {
        let longest = String(repeating: "s", count: 128)
        #expect(try StreamPath("/a/\(longest)/b").segments.map(String.init) == ["a", longest, "b"])
        let error = try #require(throws: SpoolError.self) { try StreamPath("/a/\(longest)s/b") }
        #expect(error.code == .invalidPath)
        #expect(error.message.contains("128"))
    }

    @Test func pathsMayHaveUpTo1024Characters() throws {
        // Eight segments of 127 characters and seven slashes, plus the leading slash: 1024.
        let segments = (0..<8).map { String(repeating: String($0), count: 127) }
        let longest = "/" + segments.joined(separator: "/")
        #expect(longest.utf8.count == 1024)
        #expect(try StreamPath(longest).rawValue == longest)
        #expect(try StreamPath(longest + "/").rawValue == longest)
        let error = try #require(throws: SpoolError.self) { try StreamPath(longest + "x") }
        #expect(error.code == .invalidPath)
        #expect(error.message.contains("1024"))
    }

    @Test func segmentsAndChildren() throws {
        let path = try StreamPath("/agents/ada")
        #expect(path.segments == ["agents", "ada"])
        #expect(try path.appending("subtasks/1").rawValue == "/agents/ada/subtasks/1")
        #expect(throws: SpoolError.self) { try path.appending("../bob") }
        #expect(throws: SpoolError.self) { try path.appending("a b") }
        #expect(path.description == "/agents/ada")
    }

    @Test func ordersByText() throws {
        let paths = try ["/b", "/a/b", "/a", "/a-b", "/A"].map(StreamPath.init)
        #expect(paths.sorted().map(\.rawValue) == ["/A", "/a", "/a-b", "/a/b", "/b"])
    }
}
