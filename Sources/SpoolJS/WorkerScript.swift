import SpoolCore

/// A dynamic worker's source made runnable: `export default {…}` (or a plain
/// `({initialState, reduce, afterAppend})` expression) becomes the worker
/// object, with the entry points the runtime calls.
public enum WorkerScript {
    /// Rewrites the module-like source into a script that assigns the worker
    /// object to `globalThis.__spoolWorker`. Lines stay where they were, so
    /// syntax errors point at the author's lines.
    public static func prepare(_ source: String) -> String {
        if let range = source.firstRange(of: exportDefault) {
            var prepared = source
            prepared.replaceSubrange(range, with: assignment)
            return prepared
        }
        return "globalThis.__spoolWorker = (" + source + "\n);"
    }

    private static let exportDefault = "export default"
    private static let assignment = "globalThis.__spoolWorker ="

    /// `error` with its column on the author's line: on the line of `export default`, what
    /// follows it moved right by the longer assignment that replaced it.
    static func inAuthorsColumns(_ error: JSError, source: String) -> JSError {
        guard let line = error.line, let column = error.column, let range = source.firstRange(of: exportDefault) else { return error }
        let before = source[..<range.lowerBound]
        let exportLine = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let exportColumn = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        let shift = assignment.count - exportDefault.count
        guard line == exportLine, column > exportColumn + assignment.count - 1 else { return error }
        var moved = error
        moved.column = column - shift
        return moved
    }

    /// Checks the worker's shape and defines `__spool.worker.*` and the `afterAppend` entry.
    static let runtime = #"""
    (function () {
      var worker = globalThis.__spoolWorker;
      if (worker === null || typeof worker !== 'object') throw new TypeError('the source must export an object: export default { initialState, reduce, afterAppend }');
      if (typeof worker.reduce !== 'function') throw new TypeError('the worker has no reduce(state, event) function');
      if (worker.afterAppend !== undefined && typeof worker.afterAppend !== 'function') throw new TypeError('afterAppend must be a function');
      __spool.worker = {
        initial: function () { return { state: worker.initialState === undefined ? null : worker.initialState, hasAfterAppend: typeof worker.afterAppend === 'function' }; },
        reduce: function (state, event) { var next = worker.reduce(state, event); return next === undefined ? state : next; },
        reduceMany: function (state, events) {
          for (var i = 0; i < events.length; i++) { var next = worker.reduce(state, events[i]); if (next !== undefined) state = next; }
          return state;
        }
      };
      __spool.entries.afterAppend = function (arg, request) {
        return worker.afterAppend({
          event: arg.event,
          state: arg.state,
          append: function (event, path) { return request('append', { event: event, path: path === undefined ? null : path }); },
          fetch: function (url, init) { return request('fetch', { url: String(url), init: init === undefined ? null : init }); },
          log: function () { return request('log', Array.prototype.map.call(arguments, function (a) { return typeof a === 'string' ? a : JSON.stringify(a); }).join(' ')); }
        });
      };
    })();
    """#

    /// What loading a worker found.
    public struct Loaded: Sendable {
        /// The worker's `initialState` as JSON.
        public var initialState: JSONValue
        public var hasAfterAppend: Bool
    }

    /// Evaluates the prepared source and the runtime in the queue's sandbox.
    /// - Throws: `JSError` (syntax errors carry line and column).
    public static func load(_ source: String, into queue: JSSandboxQueue, timeLimit: Duration) async throws -> Loaded {
        let prepared = prepare(source)
        return try await queue.run { sandbox in
            try sandbox.evaluate(JSAsyncDriver.prelude, sourceURL: "spool-prelude.js")
            do {
                try sandbox.evaluate(prepared, sourceURL: "worker.js", timeLimit: timeLimit)
            } catch let error as JSError {
                throw inAuthorsColumns(error, source: source)
            }
            try sandbox.evaluate(runtime, sourceURL: "spool-worker.js")
            let initial = try sandbox.call("__spool.worker.initial", arguments: [], timeLimit: timeLimit)
            return Loaded(initialState: initial.objectValue?["state"] ?? .null, hasAfterAppend: initial.objectValue?["hasAfterAppend"]?.boolValue == true)
        }
    }
}
