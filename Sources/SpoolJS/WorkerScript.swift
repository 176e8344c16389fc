import SpoolCore

/// A dynamic worker's source made runnable: `export default {…}` (or a plain
/// `({initialState, reduce, afterAppend})` expression) becomes the worker
/// object, with the entry points the runtime calls.
public enum WorkerScript {
    /// Rewrites the module-like source into a script that assigns the worker
    /// object to `globalThis.__spoolWorker`. Lines stay where they were, so
    /// syntax errors point at the author's lines.
    public static func prepare(_ source: String) -> String {
        if let range = source.firstRange(of: "export default") {
            var prepared = source
            prepared.replaceSubrange(range, with: "globalThis.__spoolWorker =")
            return prepared
        }
        return "globalThis.__spoolWorker = (" + source + "\n);"
    }

    /// Checks the worker's shape and defines `__spool.worker.*` and the `afterAppend` entry.
    static let runtime = #"""
    (function () {
      var worker = globalThis.__spoolWorker;
      if (worker === null || typeof worker !== 'object') throw new TypeError('the source must export an object: export default { initialState, reduce, afterAppend }');
      if (typeof worker.reduce !== 'function') throw new TypeError('the worker has no reduce(state, event) function');
      if (worker.afterAppend !== undefined && typeof worker.afterAppend !== 'function') throw new TypeError('afterAppend must be a function');
      // reduce is pure: within it the clock reads the event's createdAt, and Math.random is
      // seeded by the event's stream and offset, so a refold (time travel, a restart) gives the same state.
      var RealDate = Date, realRandom = Math.random, now = 0, seed = 0;
      function EventDate() {
        if (!new.target) return new RealDate(now).toString();
        return arguments.length === 0 ? new RealDate(now) : new (Function.prototype.bind.apply(RealDate, [null].concat(Array.prototype.slice.call(arguments))))();
      }
      EventDate.now = function () { return now; };
      EventDate.parse = RealDate.parse;
      EventDate.UTC = RealDate.UTC;
      EventDate.prototype = RealDate.prototype;
      function eventRandom() {
        seed = (seed + 0x6D2B79F5) | 0;
        var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      }
      function reduceOne(state, event) {
        now = RealDate.parse(event.createdAt);
        var text = event.streamPath + '@' + event.offset;
        seed = 2166136261;
        for (var i = 0; i < text.length; i++) { seed = Math.imul(seed ^ text.charCodeAt(i), 16777619); }
        globalThis.Date = EventDate;
        Math.random = eventRandom;
        try {
          var next = worker.reduce(state, event);
          return next === undefined ? state : next;
        } finally {
          globalThis.Date = RealDate;
          Math.random = realRandom;
        }
      }
      __spool.worker = {
        initial: function () { return { state: worker.initialState === undefined ? null : worker.initialState, hasAfterAppend: typeof worker.afterAppend === 'function' }; },
        reduce: reduceOne,
        reduceMany: function (state, events) {
          for (var i = 0; i < events.length; i++) { state = reduceOne(state, events[i]); }
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
            try sandbox.evaluate(prepared, sourceURL: "worker.js", timeLimit: timeLimit)
            try sandbox.evaluate(runtime, sourceURL: "spool-worker.js")
            let initial = try sandbox.call("__spool.worker.initial", arguments: [], timeLimit: timeLimit)
            return Loaded(initialState: initial.objectValue?["state"] ?? .null, hasAfterAppend: initial.objectValue?["hasAfterAppend"]?.boolValue == true)
        }
    }
}
