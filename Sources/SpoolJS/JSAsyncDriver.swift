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
/// the requests the script made. Nothing else runs JavaScript in the meantime
/// (the sandbox queue is serial), so the host work may suspend freely.
public enum JSAsyncDriver {
    /// Defines `__spool.entries`, `__spool.begin(name, arg)`, `__spool.settle(results)`
    /// and `__spool.poll()`. Evaluate it once per sandbox before `run`.
    public static let prelude = #"""
    var __spool = (function () {
      var waiting = {}, requests = [], nextId = 1, run = null;
      function request(kind, args) {
        return new Promise(function (resolve, reject) {
          var id = nextId++;
          waiting[id] = { resolve: resolve, reject: reject };
          requests.push({ id: id, kind: kind, args: args === undefined ? null : args });
        });
      }
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
        request: request,
        describe: describe,
        begin: function (name, arg) {
          var entry = api.entries[name];
          run = { done: false };
          var current = run;
          Promise.resolve().then(function () { return entry(arg, request); }).then(
            function (v) { current.done = true; current.value = v === undefined ? null : v; },
            function (e) { current.done = true; current.failed = true; current.error = describe(e); });
        },
        settle: function (results) {
          results.forEach(function (r) {
            var w = waiting[r.id];
            delete waiting[r.id];
            if (!w) return;
            if (r.ok) w.resolve(r.value); else w.reject(new Error(r.error));
          });
        },
        poll: function () {
          var out = { done: run.done, requests: requests };
          requests = [];
          if (run.done) {
            if (run.failed) out.error = run.error;
            else out.value = run.value;
            waiting = {};
          }
          return out;
        }
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
        func turn(_ body: @escaping @Sendable (JSSandbox, Duration) throws -> Void) async throws -> JSONValue {
            guard remaining > .zero else { throw JSError(.timeout, "timed out: used more than \(budget) of CPU time") }
            let limit = remaining
            let (status, used) = try await queue.runMeasuringCPU { sandbox in
                do {
                    try body(sandbox, limit)
                    return try sandbox.call("__spool.poll", arguments: [], timeLimit: limit)
                } catch var error as JSError where error.kind == .timeout {
                    error.message = "timed out: used more than \(budget) of CPU time"
                    throw error
                }
            }
            remaining -= used
            return status
        }
        let argumentJSON = argument.jsonString
        let nameJSON = JSONValue.string(name).jsonString
        var status = try await turn { sandbox, limit in
            _ = try sandbox.call("__spool.begin", jsonArguments: [nameJSON, argumentJSON], timeLimit: limit)
        }
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
            status = try await turn { sandbox, limit in
                _ = try sandbox.call("__spool.settle", jsonArguments: [resultsJSON], timeLimit: limit)
            }
        }
        throw JSError(.exception, "the script made more than \(maximumTurns) rounds of requests")
    }
}
