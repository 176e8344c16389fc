import SpoolCore
import SpoolJS
import Testing

/// A sandbox queue with the driver's prelude and `script` evaluated.
func driverQueue(with script: String) async throws -> JSSandboxQueue {
    let queue = JSSandboxQueue(label: "driver-test")
    try await queue.run { sandbox in
        try sandbox.evaluate(JSAsyncDriver.prelude)
        try sandbox.evaluate(script)
    }
    return queue
}

@Suite(.timeLimit(.minutes(3))) struct JSAsyncDriverTests {

    @Test func servesRequestsUntilThePromiseSettles() async throws {
        let queue = try await driverQueue(with: """
            __spool.entries.sum = async function (arg, request) {
              var a = await request('number', { n: arg.a });
              var b = await request('number', { n: arg.b });
              return { total: a + b };
            };
            """)
        let result = try await JSAsyncDriver.run("sum", argument: ["a": 1, "b": 2], on: queue, budget: .seconds(1)) { request in
            .success(.int((request.arguments.objectValue?["n"]?.intValue ?? 0) * 10))
        }
        #expect(result == ["total": 30])
    }

    @Test func rejectedRequestsAndThrowsBecomeErrors() async throws {
        let queue = try await driverQueue(with: """
            __spool.entries.fail = async function (arg, request) { await request('nope'); };
            """)
        await #expect {
            _ = try await JSAsyncDriver.run("fail", argument: .null, on: queue, budget: .seconds(1)) { _ in
                .failure(JSAsyncDriver.HostError("not allowed"))
            }
        } throws: { error in
            "\(error)".contains("not allowed")
        }
    }

    @Test func loopsAfterAnAwaitAreStopped() async throws {
        let queue = try await driverQueue(with: """
            __spool.entries.spin = async function (arg, request) { await request('x'); while (true) {} };
            """)
        await #expect {
            _ = try await JSAsyncDriver.run("spin", argument: .null, on: queue, budget: .milliseconds(200)) { _ in .success(.null) }
        } throws: { error in
            (error as? JSError)?.kind == .timeout
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct OverlappingRunsTests {
    /// Runs of one sandbox overlap while the host serves them (a worker reacting to several
    /// streams at once): each must get its own answers and finish on its own.
    @Test func overlappingRunsKeepTheirOwnRequests() async throws {
        let queue = try await driverQueue(with: """
            __spool.entries.twice = async function (arg, request) {
              var first = await request('echo', { n: arg.n });
              var second = await request('echo', { n: first + 1000 });
              return { n: arg.n, answer: second };
            };
            """)
        let results = try await withThrowingTaskGroup(of: JSONValue.self) { group in
            for n in 0..<20 {
                group.addTask {
                    try await JSAsyncDriver.run("twice", argument: ["n": .int(Int64(n))], on: queue, budget: .seconds(2)) { request in
                        let value = request.arguments.objectValue?["n"]?.intValue ?? -1
                        // Later runs are answered sooner, so they overtake the earlier ones.
                        try? await Task.sleep(for: .milliseconds(20 - n))
                        return .success(.int(value))
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let answers = results.compactMap { result -> (Int64, Int64)? in
            guard let n = result.objectValue?["n"]?.intValue, let answer = result.objectValue?["answer"]?.intValue else { return nil }
            return (n, answer)
        }
        #expect(answers.count == 20)
        #expect(answers.allSatisfy { $0.1 == $0.0 + 1000 })
        #expect(Set(answers.map(\.0)) == Set(0..<20))
    }

    @Test func aRunThatTimesOutLeavesTheOthersAlone() async throws {
        let queue = try await driverQueue(with: """
            __spool.entries.maybeSpin = async function (arg, request) {
              var value = await request('echo', arg);
              if (arg.spin) { while (true) {} }
              return value;
            };
            """)
        let spinning = Task {
            try await JSAsyncDriver.run("maybeSpin", argument: ["spin": true], on: queue, budget: .milliseconds(100)) { request in
                .success(request.arguments)
            }
        }
        let finishing = try await JSAsyncDriver.run("maybeSpin", argument: ["spin": false], on: queue, budget: .seconds(2)) { request in
            try? await Task.sleep(for: .milliseconds(50))
            return .success(request.arguments)
        }
        await #expect(throws: JSError.self) { _ = try await spinning.value }
        #expect(finishing == ["spin": false])
        let open = try await queue.run { sandbox in try sandbox.call("__spool.openRuns", arguments: []) }
        #expect(open == 0)
    }
}
