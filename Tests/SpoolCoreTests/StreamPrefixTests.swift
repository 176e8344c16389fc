import SpoolCore
import Testing

/// Prefixes select a subtree of streams by whole segments.
@Suite(.timeLimit(.minutes(3))) struct StreamPrefixTests {
    @Test(arguments: [("", "/"), ("/", "/"), ("/agents", "/agents"), ("agents/", "/agents"), ("/agents/ada/", "/agents/ada")])
    func normalises(text: String, canonical: String) throws {
        #expect(try StreamPrefix(text).rawValue == canonical)
    }

    @Test(arguments: ["//", "/a b", "/agents/..", "/agents//ada"])
    func refusesInvalidPrefixes(text: String) throws {
        let error = try #require(throws: SpoolError.self) { try StreamPrefix(text) }
        #expect(error.code == .invalidPath)
    }

    @Test func matchesItselfAndEverythingBelow() throws {
        let prefix = try StreamPrefix("/agents")
        for text in ["/agents", "/agents/ada", "/agents/ada/subtasks/1"] {
            #expect(prefix.matches(try StreamPath(text)), "\(text)")
            #expect(try StreamPath(text).hasPrefix(prefix), "\(text)")
        }
    }

    @Test func doesNotMatchSiblingsThatShareLeadingCharacters() throws {
        let prefix = try StreamPrefix("/agents")
        for text in ["/agentsx", "/agents-x", "/agents.x", "/agents~", "/agent", "/age", "/other/agents", "/Agents"] {
            #expect(!prefix.matches(try StreamPath(text)), "\(text)")
        }
    }

    @Test func deeperPrefixesMatchOnlyTheirSubtree() throws {
        let prefix = try StreamPrefix("/agents/ada")
        #expect(prefix.matches(try StreamPath("/agents/ada/x")))
        #expect(!prefix.matches(try StreamPath("/agents")))
        #expect(!prefix.matches(try StreamPath("/agents/adam")))
        #expect(!prefix.matches(try StreamPath("/agents/bob/ada")))
    }

    @Test func rootMatchesEveryStream() throws {
        #expect(StreamPrefix.root == (try StreamPrefix("")))
        for text in ["/a", "/agents/ada", "/~"] { #expect(StreamPrefix.root.matches(try StreamPath(text))) }
    }
}
