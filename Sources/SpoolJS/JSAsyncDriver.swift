import SpoolCore

/// A request that running JavaScript makes of its host (`await append(…)`,
/// `await fetch(…)`, `await tools.x(…)`): the script waits on a promise that
/// the host settles when it has done the work, outside the JavaScript queue.
public struct JSHostRequest: Sendable {
    public var id: Int
    public var kind: String
    public var arguments: JSONValue
}

/// Drives an async JavaScript entry point to completion: JavaScript runs on
/// the sandbox's queue under a CPU budget, and between turns the host serves
/// the requests the script made. The host work may suspend freely: other runs of
/// the same sandbox take their turns meanwhile (the queue is serial, so JavaScript
/// never runs on two threads at once), each with requests of its own.
public enum JSAsyncDriver {
    /// Defines `__spool.entries`, `__spool.begin(name, arg)` (which answers the run's number),
    /// `__spool.settle(run, results)`, `__spool.poll(run)`, `__spool.forget(run)` and `__spool.openRuns()`. Evaluate it
    /// once per sandbox before `run`.
    ///
    /// Each run keeps its own requests and waiting promises: runs of one sandbox overlap while
    /// the host serves their requests (a worker reacting to several streams at once), and one
    /// run must neither take another's requests nor drop its promises when it ends.
    public static let prelude = #"""
    var __spool = (function () {
      var runs = {}, nextRun = 1, nextId = 1;
      function describe(e) {
        if (e instanceof Error) {
          // A line in Spool's own code (an append or fetch that failed) would point nowhere in the author's file.
          var own = typeof e.sourceURL === 'string' && e.sourceURL.indexOf('spool-') === 0;
          var where = e.line && !own ? ' (line ' + e.line + (e.column ? ', column ' + e.column : '') + ')' : '';
          return String(e) + where;
        }
        try { return 'thrown: ' + JSON.stringify(e); } catch (_) { return 'thrown: ' + String(e); }
      }
      var api = {
        entries: {},
        describe: describe,
        begin: function (name, arg) {
          var entry = api.entries[name];
          var number = nextRun++;
          var run = { done: false, requests: [], waiting: {} };
          runs[number] = run;
          function request(kind, args) {
            return new Promise(function (resolve, reject) {
              var id = nextId++;
              run.waiting[id] = { resolve: resolve, reject: reject };
              run.requests.push({ id: id, kind: kind, args: args === undefined ? null : args });
            });
          }
          Promise.resolve().then(function () { return entry(arg, request); }).then(
            function (v) { run.done = true; run.value = v === undefined ? null : v; },
            function (e) { run.done = true; run.failed = true; run.error = describe(e); });
          return number;
        },
        settle: function (number, results) {
          var run = runs[number];
          if (!run) return;
          results.forEach(function (r) {
            var w = run.waiting[r.id];
            delete run.waiting[r.id];
            if (!w) return;
            if (r.ok) w.resolve(r.value); else w.reject(new Error(r.error));
          });
        },
        poll: function (number) {
          var run = runs[number];
          var out = { done: run.done, requests: run.requests };
          run.requests = [];
          if (run.done) {
            if (run.failed) out.error = run.error;
            else out.value = run.value;
            delete runs[number];
          }
          return out;
        },
        forget: function (number) { delete runs[number]; },
        openRuns: function () { return Object.keys(runs).length; }
      };
      return api;
    })();
    """#

    /// The outcome of a host request: a JSON value, or an error message the script sees as a rejected promise.
    public typealias Answer = Result<JSONValue, HostError>

    /// An error message handed to the script.
    public struct HostError: Error, Sendable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    /// Runs entry `name` of `__spool.entries` with `argument` until its promise settles.
    ///
    /// - Parameters:
    ///   - budget: CPU time the JavaScript may use in all, across turns.
    ///   - maximumTurns: host round trips allowed before giving up.
    ///   - serve: performs a request; it runs off the JavaScript queue.
    /// - Returns: the entry's result. - Throws: `JSError` (exception, timeout).
    public static func run(
        _ name: String, argument: JSONValue, on queue: JSSandboxQueue, budget: Duration, maximumTurns: Int = 1000,
        serve: @escaping @Sendable (JSHostRequest) async -> Answer
    ) async throws -> JSONValue {
        var remaining = budget
        func turn(_ body: @escaping @Sendable (JSSandbox, Duration) throws -> Int64) async throws -> (run: Int64, status: JSONValue) {
            guard remaining > .zero else { throw JSError(.timeout, "timed out: used more than \(budget) of CPU time") }
            let limit = remaining
            let (turned, used) = try await queue.runMeasuringCPU { sandbox in
                do {
                    let run = try body(sandbox, limit)
                    return (run, try sandbox.call("__spool.poll", arguments: [.int(run)], timeLimit: limit))
                } catch var error as JSError where error.kind == .timeout {
                    error.message = "timed out: used more than \(budget) of CPU time"
                    throw error
                }
            }
            remaining -= used
            return turned
        }
        let argumentJSON = argument.jsonString
        let nameJSON = JSONValue.string(name).jsonString
        var (run, status) = try await turn { sandbox, limit in
            let begun = try sandbox.call("__spool.begin", jsonArguments: [nameJSON, argumentJSON], timeLimit: limit)
            guard let number = begun.flatMap(Int64.init) else { throw JSError(.invalidValue, "the driver did not number the run") }
            return number
        }
        do {
            for _ in 0..<maximumTurns {
                guard let object = status.objectValue else { throw JSError(.invalidValue, "unexpected driver status") }
                if object["done"]?.boolValue == true {
                    if let error = object["error"]?.stringValue { throw JSError(.exception, error) }
                    return object["value"] ?? .null
                }
                let requests = (object["requests"]?.arrayValue ?? []).compactMap { request -> JSHostRequest? in
                    guard let id = request.objectValue?["id"]?.intValue, let kind = request.objectValue?["kind"]?.stringValue else { return nil }
                    return JSHostRequest(id: Int(id), kind: kind, arguments: request.objectValue?["args"] ?? .null)
                }
                guard !requests.isEmpty else {
                    throw JSError(.exception, "the script is waiting on something that never settles (a promise not made by append, fetch or a tool)")
                }
                var results: [JSONValue] = []
                for request in requests {
                    switch await serve(request) {
                    case .success(let value):
                        results.append(["id": .int(Int64(request.id)), "ok": true, "value": value])
                    case .failure(let error):
                        results.append(["id": .int(Int64(request.id)), "ok": false, "error": .string(error.message)])
                    }
                }
                let resultsJSON = JSONValue.array(results).jsonString
                let settled = run
                (run, status) = try await turn { sandbox, limit in
                    _ = try sandbox.call("__spool.settle", jsonArguments: [String(settled), resultsJSON], timeLimit: limit)
                    return settled
                }
            }
        } catch {
            try? await forget(run, on: queue)
            throw error
        }
        try? await forget(run, on: queue)
        throw JSError(.exception, "the script made more than \(maximumTurns) rounds of requests")
    }

    /// Drops what the sandbox keeps of a run that ended without settling (a timeout, too many turns).
    private static func forget(_ run: Int64, on queue: JSSandboxQueue) async throws {
        try await queue.run { sandbox in _ = try sandbox.call("__spool.forget", arguments: [.int(run)], timeLimit: .milliseconds(100)) }
    }
}
