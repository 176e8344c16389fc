import SpoolCore

/// The tools agents may use, by name.
public struct Toolbox: Sendable {
    public private(set) var tools: [String: any AgentTool]

    public init(_ tools: [any AgentTool]) {
        self.tools = Dictionary(tools.map { ($0.definition.name, $0) }, uniquingKeysWith: { _, last in last })
        bindCodemode()
    }

    /// The built-in tools: append_event, read_stream, http_request, ask_agent, wait, run_javascript.
    public static var builtIn: Toolbox {
        Toolbox([AppendEventTool(), ReadStreamTool(), HTTPRequestTool(), AskAgentTool(), WaitTool(), RunJavaScriptTool()])
    }

    /// Adds (or replaces) tools.
    public func adding(_ more: [any AgentTool]) -> Toolbox {
        var toolbox = self
        for tool in more { toolbox.tools[tool.definition.name] = tool }
        toolbox.bindCodemode()
        return toolbox
    }

    /// Gives `run_javascript` the other tools, so scripts can call them.
    private mutating func bindCodemode() {
        guard var codemode = tools["run_javascript"] as? RunJavaScriptTool else { return }
        codemode.tools = tools.filter { $0.key != "run_javascript" }
        tools["run_javascript"] = codemode
    }

    /// The definitions of the tools a configuration names (unknown names are skipped).
    public func definitions(for configuration: AgentConfiguration) -> [ToolDefinition] {
        configuration.tools.compactMap { tools[$0]?.definition }
    }

    /// Whether a call to `name` waits for approval.
    public func requiresApproval(_ name: String, configuration: AgentConfiguration) -> Bool {
        configuration.requireApproval.contains(name) || tools[name]?.requiresApproval == true
    }
}
