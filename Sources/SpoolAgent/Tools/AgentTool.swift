import SpoolCore
import SpoolStore

/// A tool the model can call. Add your own by conforming and passing it to the agent's toolbox.
///
/// ```swift
/// struct Clock: AgentTool {
///     let definition = ToolDefinition(name: "clock", description: "The current UTC time.")
///     func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
///         .output(Timestamp.now().iso8601)
///     }
/// }
/// ```
public protocol AgentTool: Sendable {
    /// Name, description and JSON Schema of the arguments, as the model sees them.
    var definition: ToolDefinition { get }
    /// Whether every call waits for a human's `tool/approval-granted`.
    var requiresApproval: Bool { get }
    /// Runs the call. Throwing makes a `tool/call-completed` with `isError: true`.
    func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome
}

extension AgentTool {
    public var requiresApproval: Bool { false }
}

/// What a tool call produced.
public enum ToolOutcome: Sendable, Equatable {
    /// The result, reported at once as `tool/call-completed`.
    case output(String, isError: Bool = false)
    /// The tool arranged for its own `tool/call-completed` to be appended later (e.g. by the scheduler).
    case deferred
}

/// What a running tool may use.
public struct AgentToolContext: Sendable {
    /// The agent's stream.
    public let stream: StreamPath
    /// The call being run.
    public let callId: String
    public let store: any EventStore
    /// Prefixes under which `append_event` may write (besides the agent's own subtree).
    public let appendPrefixes: [StreamPrefix]
    /// Hosts `http_request` may reach.
    public let httpAllowedHosts: [String]

    public init(
        stream: StreamPath, callId: String, store: any EventStore, appendPrefixes: [StreamPrefix] = [],
        httpAllowedHosts: [String] = []
    ) {
        self.stream = stream
        self.callId = callId
        self.store = store
        self.appendPrefixes = appendPrefixes
        self.httpAllowedHosts = httpAllowedHosts
    }
}

/// A tool call the model got wrong (bad arguments, forbidden target): reported to the model as an error.
public struct ToolError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// A required string argument.
    func requiredString(_ name: String) throws -> String {
        guard let value = self[name]?.stringValue, !value.isEmpty else { throw ToolError("missing string argument '\(name)'") }
        return value
    }
}
