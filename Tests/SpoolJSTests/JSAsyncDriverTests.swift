import SpoolCore
import SpoolJS
import Testing

@Suite(.timeLimit(.minutes(3))) struct JSAsyncDriverTests {
    func queue(with script: String) async throws -> JSSandboxQueue {
        let queue = JSSandboxQueue(label: "driver-test")
        try await queue.run { sandbox in
            try sandbox.evaluate(JSAsyncDriver.prelude)
            try sandbox.evaluate(script)
        }
        return queue
    }

    @Test func servesRequestsUntilThePromiseSettles() async throws {
        let queue = try await queue(with: """
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
        let queue = try await queue(with: """
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
        let queue = try await queue(with: """
            __spool.entries.spin = async function (arg, request) { await request('x'); while (true) {} };
            """)
        await #expect {
            _ = try await JSAsyncDriver.run("spin", argument: .null, on: queue, budget: .milliseconds(200)) { _ in .success(.null) }
        } throws: { error in
            (error as? JSError)?.kind == .timeout
        }
    }
}
