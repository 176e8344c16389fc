internal import CJavaScriptCore
import SpoolCore

/// One sandboxed JavaScript context: a fresh global context in its own context
/// group, so nothing is shared with other sandboxes. Plain JavaScriptCore has
/// no file system, process or network APIs, and none are added here.
///
/// Every call runs under a CPU time limit and a memory limit. A sandbox whose heap
/// grows over its memory limit (measured after garbage collections, during a call
/// and after it) is stopped and refuses to run anything more: drop it, so its
/// heap is freed (`JSSandboxQueue` does).
///
/// Not thread-safe: use a sandbox from one thread at a time (see `JSSandboxQueue`).
///
/// ```swift
/// let sandbox = try JSSandbox()
/// try sandbox.evaluate("function add(a, b) { return a + b }")
/// let sum = try sandbox.call("add", arguments: [.int(1), .int(2)])  // .int(3)
/// ```
public final class JSSandbox {
    /// The memory a sandbox may hold unless told otherwise: 64 MiB of JavaScriptCore heap, extra memory included.
    public static let defaultMemoryLimit = 64 << 20

    private let js: SpoolJavaScriptCore
    private let group: JSContextGroupRef
    private let context: JSGlobalContextRef
    private let meter: JSMemoryMeter
    private let watch: ExecutionWatch
    private var functions: [String: JSObjectRef] = [:]
    /// Why the sandbox stopped for good: it went over its memory limit. Every call then throws it.
    public private(set) var memoryFailure: JSError?

    /// - Parameter memoryLimit: bytes the sandbox's heap may hold (`heapSize` of
    ///   `JSGetMemoryUsageStatistics`: live objects, array buffers and large strings).
    /// - Throws: `JSError` (`.unsupported`) when JavaScriptCore cannot be opened.
    public init(memoryLimit: Int = JSSandbox.defaultMemoryLimit) throws {
        js = try JavaScriptCore.api()
        guard let group = js.JSContextGroupCreate() else { throw JSError(.unsupported, "JavaScriptCore could not make a context group") }
        guard let context = js.JSGlobalContextCreateInGroup(group, nil) else {
            js.JSContextGroupRelease(group)
            throw JSError(.unsupported, "JavaScriptCore could not make a context")
        }
        self.group = group
        self.context = context
        meter = JSMemoryMeter(limit: memoryLimit)
        watch = ExecutionWatch(js: js, group: group, meter: meter)
        js.JSContextGroupAddHeapFinalizer(group, heapCollected, Unmanaged.passUnretained(meter).toOpaque())
    }

    deinit {
        js.JSContextGroupRemoveHeapFinalizer(group, heapCollected, Unmanaged.passUnretained(meter).toOpaque())
        for function in functions.values { js.JSValueUnprotect(context, function) }
        js.JSGlobalContextRelease(context)
        js.JSContextGroupRelease(group)
    }

    /// Checks a script's syntax without running it.
    public func checkSyntax(_ script: String, sourceURL: String = "script.js") throws {
        let source = jsString(script)
        let url = jsString(sourceURL)
        defer { js.JSStringRelease(source); js.JSStringRelease(url) }
        var exception: JSValueRef?
        if !js.JSCheckScriptSyntax(context, source, url, 1, &exception) {
            var failure = error(from: exception, kind: .syntax)
            failure.kind = .syntax
            if failure.column == nil, let line = failure.line {
                failure.column = Self.guessColumn(of: failure.message, line: line, in: script)
            }
            throw failure
        }
    }

    /// Runs a script and returns its completion value as JSON (`nil` for `undefined` or a function).
    @discardableResult
    public func evaluate(_ script: String, sourceURL: String = "script.js", timeLimit: Duration = .seconds(5)) throws -> JSONValue? {
        try checkSyntax(script, sourceURL: sourceURL)
        let source = jsString(script)
        let url = jsString(sourceURL)
        defer { js.JSStringRelease(source); js.JSStringRelease(url) }
        let value = try limited(timeLimit) { exception in js.JSEvaluateScript(context, source, nil, url, 1, &exception) }
        return try json(of: value)
    }

    /// Calls the function found at `path` (a global name or a dotted path such as `worker.reduce`)
    /// with arguments given as JSON texts, and returns the result as JSON text (`nil` for `undefined`).
    public func call(_ path: String, jsonArguments: [String], timeLimit: Duration = .seconds(5)) throws -> String? {
        let function = try resolve(path)
        var arguments: [JSValueRef?] = []
        for text in jsonArguments {
            let string = jsString(text)
            defer { js.JSStringRelease(string) }
            guard let value = js.JSValueMakeFromJSONString(context, string) else {
                throw JSError(.invalidValue, "argument is not JSON: \(text.prefix(100))")
            }
            arguments.append(value)
        }
        let result = try limited(timeLimit) { exception in
            arguments.withUnsafeBufferPointer { buffer in
                js.JSObjectCallAsFunction(context, function, nil, buffer.count, buffer.baseAddress, &exception)
            }
        }
        return try jsonText(of: result)
    }

    /// Calls the function at `path` with JSON arguments and returns its JSON result (`.null` for `undefined`).
    public func call(_ path: String, arguments: [JSONValue], timeLimit: Duration = .seconds(5)) throws -> JSONValue {
        let text = try call(path, jsonArguments: arguments.map(\.jsonString), timeLimit: timeLimit)
        guard let text else { return .null }
        do {
            return try JSONValue.parse(text)
        } catch {
            throw JSError(.invalidValue, "result is not JSON: \(error)")
        }
    }

    // MARK: Internals

    /// JavaScriptCore reports only the line of a syntax error; for "Unexpected token 'X'"
    /// the column is where that token first appears on the line.
    static func guessColumn(of message: String, line: Int, in script: String) -> Int? {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let text = lines[line - 1]
        var token: Substring?
        if let open = message.firstIndex(of: "'"), let close = message[message.index(after: open)...].firstIndex(of: "'") {
            token = message[message.index(after: open)..<close]
        }
        guard let token, !token.isEmpty, let range = text.firstRange(of: token) else {
            // Without a token, point at the line's first non-blank character.
            return (text.firstIndex { $0 != " " && $0 != "\t" }).map { text.distance(from: text.startIndex, to: $0) + 1 }
        }
        return text.distance(from: text.startIndex, to: range.lowerBound) + 1
    }

    private func resolve(_ path: String) throws -> JSObjectRef {
        if let function = functions[path] { return function }
        let source = jsString(path)
        defer { js.JSStringRelease(source) }
        var exception: JSValueRef?
        let value = js.JSEvaluateScript(context, source, nil, nil, 1, &exception)
        if let exception { throw error(from: exception, kind: .exception) }
        guard let value, js.JSValueIsObject(context, value), let object = js.JSValueToObject(context, value, nil),
            js.JSObjectIsFunction(context, object)
        else {
            throw JSError(.invalidValue, "\(path) is not a function")
        }
        js.JSValueProtect(context, object)
        functions[path] = object
        return object
    }

    /// Runs `body` under a CPU time limit and the memory limit; an exception or termination becomes a `JSError`.
    private func limited(_ limit: Duration, _ body: (inout JSValueRef?) -> JSValueRef?) throws -> JSValueRef? {
        if let memoryFailure { throw memoryFailure }
        watch.start(limit: limit)
        defer { js.JSContextGroupClearExecutionTimeLimit(group) }
        var exception: JSValueRef?
        let value = body(&exception)
        let running = watch.running
        meter.add(running)
        switch watch.stopped {
        case .timeout:
            absorbTermination()
            throw JSError(.timeout, "timed out: used more than \(limit) of CPU time")
        case .memory(let bytes):
            throw stopForGood(bytes: bytes)
        case nil:
            if let bytes = meter.excess(js: js, context: context, running: .zero) { throw stopForGood(bytes: bytes) }
        }
        if let exception { throw error(from: exception, kind: .exception) }
        return value
    }

    /// Records that the sandbox went over its memory limit; it runs nothing more.
    private func stopForGood(bytes: Int) -> JSError {
        let failure = meter.failure(bytes: bytes)
        memoryFailure = failure
        return failure
    }

    /// JavaScriptCore reports a terminated execution once more, to whatever enters the context
    /// next (the next event's call would fail with "JavaScript execution terminated"): take
    /// that report here, where the timeout is known.
    private func absorbTermination() {
        js.JSContextGroupClearExecutionTimeLimit(group)
        let nothing = jsString("undefined")
        defer { js.JSStringRelease(nothing) }
        for _ in 0..<2 {
            var exception: JSValueRef?
            _ = js.JSEvaluateScript(context, nothing, nil, nil, 1, &exception)
            if exception == nil { return }
        }
    }

    private func jsonText(of value: JSValueRef?) throws -> String? {
        guard let value, !js.JSValueIsUndefined(context, value) else { return nil }
        var exception: JSValueRef?
        guard let string = js.JSValueCreateJSONString(context, value, 0, &exception) else {
            if let exception { throw error(from: exception, kind: .invalidValue) }
            return nil  // a function or symbol: no JSON form
        }
        defer { js.JSStringRelease(string) }
        return swiftString(string)
    }

    private func json(of value: JSValueRef?) throws -> JSONValue? {
        guard let text = try jsonText(of: value) else { return nil }
        do {
            return try JSONValue.parse(text)
        } catch {
            throw JSError(.invalidValue, "value is not JSON: \(error)")
        }
    }

    private func error(from exception: JSValueRef?, kind: JSError.Kind) -> JSError {
        guard let exception else { return JSError(kind, "unknown JavaScript error") }
        let message = string(of: exception) ?? "unknown JavaScript error"
        var line: Int?
        var column: Int?
        if js.JSValueIsObject(context, exception), let object = js.JSValueToObject(context, exception, nil),
            !(text(object, "sourceURL")?.hasPrefix("spool-") ?? false)
        {
            // A position in Spool's own scripts (the prelude, the worker runtime) is nowhere in the author's.
            line = number(object, "line")
            column = number(object, "column")
        }
        let errorKind: JSError.Kind = message.hasPrefix("SyntaxError") ? .syntax : kind
        return JSError(errorKind, message, line: line, column: column)
    }

    private func text(_ object: JSObjectRef, _ name: String) -> String? {
        let key = jsString(name)
        defer { js.JSStringRelease(key) }
        guard let value = js.JSObjectGetProperty(context, object, key, nil) else { return nil }
        return string(of: value)  // "undefined" for a property that is not there
    }

    private func number(_ object: JSObjectRef, _ name: String) -> Int? {
        let key = jsString(name)
        defer { js.JSStringRelease(key) }
        guard let value = js.JSObjectGetProperty(context, object, key, nil), js.JSValueIsNumber(context, value) else { return nil }
        let number = js.JSValueToNumber(context, value, nil)
        return number.isFinite ? Int(number) : nil
    }

    private func string(of value: JSValueRef) -> String? {
        guard let string = js.JSValueToStringCopy(context, value, nil) else { return nil }
        defer { js.JSStringRelease(string) }
        return swiftString(string)
    }

    /// A JavaScriptCore string (`nil` only if it is out of memory); release it with `JSStringRelease`.
    private func jsString(_ text: String) -> JSStringRef? {
        js.JSStringCreateWithUTF8CString(text)
    }

    private func swiftString(_ string: JSStringRef?) -> String {
        let size = js.JSStringGetMaximumUTF8CStringSize(string)
        var buffer = [CChar](repeating: 0, count: size)
        let written = js.JSStringGetUTF8CString(string, &buffer, size)
        let bytes = buffer.prefix(max(0, written - 1)).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
