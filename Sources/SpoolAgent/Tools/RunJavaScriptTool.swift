import SpoolCore
import SpoolJS

/// `run_javascript {code}` (codemode): runs model-written JavaScript, the body
/// of an async function, in a fresh JavaScriptCore sandbox. The agent's other
/// enabled tools are async functions on `tools` that resolve to the tool's text
/// output, so one script can chain several calls:
///
/// ```js
/// const events = await tools.read_stream({ path: '/agents/ada', limit: 5 });
/// return events.split('\n').length;
/// ```
///
/// The script's `return` value (as JSON) or its error is the tool's output. A script
/// gets `timeLimit` of CPU time and `memoryLimit` of memory.
/// Tools that need approval, or that answer later, are not available from a script.
public struct RunJavaScriptTool: AgentTool {
    public let definition = ToolDefinition(
        name: "run_javascript",
        description: """
            Run JavaScript (the body of an async function) in a sandbox without file system or network. \
            Your other tools are async functions on `tools`, resolving to their text output, \
            e.g. `const text = await tools.read_stream({path: '/agents/x'})`. `return` a JSON value to see it.
            """,
        parameters: [
            "type": "object", "required": ["code"],
            "properties": ["code": ["type": "string", "description": "JavaScript statements; use await and return"]],
        ])

    /// The tools a script may call (the toolbox fills this in).
    var tools: [String: any AgentTool] = [:]
    /// CPU time the script may use.
    public var timeLimit: Duration = .seconds(5)
    /// Memory the script's sandbox may hold (see `JSSandbox.init(memoryLimit:)`); a script over it is stopped.
    public var memoryLimit = JSSandbox.defaultMemoryLimit

    public init() {}

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        let code = try arguments.requiredString("code")
        let callable = try await callableTools(context)
        let queue = JSSandboxQueue(label: "codemode:\(context.callId)", memoryLimit: memoryLimit)
        let script = "__spool.entries.script = async function (__argument, __request) { const tools = new Proxy({}, { get: function (_, name) { return function (args) { return __request('tool', { name: String(name), arguments: args === undefined ? {} : args }); }; } }); return await (async function () { " + code + "\n})(); };"
        do {
            try await queue.run { sandbox in
                try sandbox.evaluate(JSAsyncDriver.prelude, sourceURL: "spool-prelude.js")
                try sandbox.evaluate(script, sourceURL: "code.js")
            }
            let result = try await JSAsyncDriver.run("script", argument: .null, on: queue, budget: timeLimit) { request in
                await Self.serve(request, tools: callable, context: context)
            }
            return .output(result.jsonString)
        } catch let error as JSError where error.kind == .memoryLimit {
            return .output("JavaScript error: the script \(error.message)", isError: true)
        } catch let error as JSError {
            return .output("JavaScript error: \(error)", isError: true)
        }
    }

    /// The tools the agent has enabled (by its last `agent/configured`), except this one and those needing approval.
    private func callableTools(_ context: AgentToolContext) async throws -> [String: any AgentTool] {
        var enabled: Set<String> = []
        var after = 0
        while true {
            let page = try await context.store.read(context.stream, after: after, limit: 10_000)
            guard let last = page.last else { break }
            for event in page where event.type == AgentEvents.configured {
                enabled = Set(AgentConfiguration(payload: event.payload).tools)
            }
            after = last.offset
        }
        return tools.filter { name, tool in
            name != definition.name && enabled.contains(name) && !tool.requiresApproval
        }
    }

    private static func serve(_ request: JSHostRequest, tools: [String: any AgentTool], context: AgentToolContext) async -> JSAsyncDriver.Answer {
        guard request.kind == "tool", let name = request.arguments["name"]?.stringValue else {
            return .failure(JSAsyncDriver.HostError("unknown request \(request.kind)"))
        }
        guard let tool = tools[name] else {
            let available = tools.keys.sorted().joined(separator: ", ")
            return .failure(JSAsyncDriver.HostError("tools.\(name) is not available here (available: \(available.isEmpty ? "none" : available))"))
        }
        do {
            switch try await tool.run(arguments: request.arguments["arguments"] ?? .emptyObject, context: context) {
            case .output(let text, isError: false):
                return .success(.string(text))
            case .output(let text, isError: true):
                return .failure(JSAsyncDriver.HostError(text))
            case .deferred:
                return .failure(JSAsyncDriver.HostError("tools.\(name) answers later and cannot be awaited from a script"))
            }
        } catch {
            return .failure(JSAsyncDriver.HostError("tools.\(name) failed: \(error)"))
        }
    }
}
