import SpoolCore
import SpoolJS
import Testing

@Suite(.timeLimit(.minutes(3))) struct JSSandboxTests {
    @Test func evaluatesAndCallsWithJSON() throws {
        let sandbox = try JSSandbox()
        try sandbox.evaluate("function add(o) { return {sum: o.a + o.b, tags: ['x']} }")
        let result = try sandbox.call("add", arguments: [["a": 1, "b": 2]])
        #expect(result == ["sum": 3, "tags": ["x"]])
        #expect(try sandbox.evaluate("1 + 1") == .int(2))
        #expect(try sandbox.evaluate("undefined") == nil)
    }

    @Test func syntaxErrorsHaveLineAndColumn() throws {
        let sandbox = try JSSandbox()
        #expect {
            try sandbox.evaluate("let a = 1;\nlet b = ;\n")
        } throws: { error in
            guard let error = error as? JSError else { return false }
            return error.kind == .syntax && error.line == 2 && error.column != nil
        }
    }

    @Test func exceptionsBecomeErrors() throws {
        let sandbox = try JSSandbox()
        try sandbox.evaluate("function boom() { throw new Error('kaput') }")
        #expect {
            _ = try sandbox.call("boom", arguments: [])
        } throws: { error in
            (error as? JSError)?.kind == .exception && "\(error)".contains("kaput")
        }
    }

    @Test func infiniteLoopsAreStoppedByTheTimeLimit() throws {
        let sandbox = try JSSandbox()
        try sandbox.evaluate("function spin() { while (true) {} }")
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            _ = try sandbox.call("spin", arguments: [], timeLimit: .milliseconds(100))
        } throws: { error in
            (error as? JSError)?.kind == .timeout
        }
        #expect(clock.now - started < .seconds(3))
        // The context is still usable afterwards.
        #expect(try sandbox.evaluate("2 * 21") == .int(42))
    }

    /// A loop in a promise job runs as the call returns; JavaScriptCore then reported the
    /// termination again to the next call, which failed although it had done nothing wrong.
    @Test func theCallAfterATimedOutPromiseJobWorks() throws {
        let sandbox = try JSSandbox()
        #expect {
            _ = try sandbox.evaluate("Promise.resolve().then(function () { while (true) {} }); 1", timeLimit: .milliseconds(100))
        } throws: { error in
            (error as? JSError)?.kind == .timeout
        }
        #expect(try sandbox.call("JSON.stringify", jsonArguments: ["[1]"]) == "\"[1]\"")
        #expect(try sandbox.evaluate("2 * 21") == .int(42))
    }

    @Test func sandboxHasNoAmbientAuthority() throws {
        let sandbox = try JSSandbox()
        let found = try sandbox.evaluate(
            "[typeof require, typeof process, typeof fetch, typeof XMLHttpRequest, typeof Deno].join(',')")
        #expect(found == "undefined,undefined,undefined,undefined,undefined")
    }

    @Test func sandboxesAreIsolated() throws {
        let one = try JSSandbox()
        let two = try JSSandbox()
        try one.evaluate("var secret = 42")
        #expect(try two.evaluate("typeof secret") == "undefined")
    }

    @Test func queueRunsOffTheCaller() async throws {
        let queue = JSSandboxQueue(label: "test")
        try await queue.run { sandbox in _ = try sandbox.evaluate("var n = 0; function inc() { return ++n }") }
        for _ in 0..<3 { _ = try await queue.run { try $0.call("inc", arguments: []) } }
        #expect(try await queue.run { try $0.call("inc", arguments: []) } == .int(4))
    }
}
