import NIOHTTP1
import SpoolCore
import SpoolProcessors
import SpoolStore

/// `append_event {path, type, payload}`: appends to the agent's own subtree or an allowed prefix.
public struct AppendEventTool: AgentTool {
    public let definition = ToolDefinition(
        name: "append_event", description: "Append an event to a Spool stream (your own stream's subtree or an allowed prefix).",
        parameters: [
            "type": "object", "required": ["path", "type"],
            "properties": [
                "path": ["type": "string", "description": "Stream path, e.g. /agents/ada/notes"],
                "type": ["type": "string", "description": "Event type, e.g. note/added"],
                "payload": ["type": "object", "description": "Event payload"],
            ],
        ])

    public init() {}

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        let path = try StreamPath(try arguments.requiredString("path"))
        let ownSubtree = try StreamPrefix(context.stream.rawValue)
        guard ownSubtree.matches(path) || context.appendPrefixes.contains(where: { $0.matches(path) }) else {
            throw ToolError("appending to \(path) is not allowed; allowed: \(([ownSubtree] + context.appendPrefixes).map(\.rawValue).joined(separator: ", "))")
        }
        let type = try arguments.requiredString("type")
        if let refusal = Self.refusal(of: type, to: path, from: context.stream) { throw ToolError(refusal) }
        let input = try AppendInput(
            type: type, payload: arguments["payload"] ?? .emptyObject,
            metadata: ["appendedBy": .string(context.stream.rawValue)], idempotencyKey: "tool:\(context.callId)")
        let event = try await context.store.append(input, to: path)
        return .output("appended \(event.type) at \(event.streamPath) offset \(event.offset)")
    }
}

extension AppendEventTool {
    /// Why the model may not append an event of `type` to `path`, if it may not. The events
    /// that steer agents come from people, the API or the runtime, never from a model: else it
    /// could grant its own approvals, forge tool results or inputs, reconfigure itself, or
    /// append system events (a subscription that posts to any host).
    /// - Parameter agent: the stream of the agent calling the tool.
    static func refusal(of type: String, to path: StreamPath, from agent: StreamPath) -> String? {
        if Event.isSystemType(type) { return "\(type) is reserved for the system" }
        if type.hasPrefix("tool/") || type.hasPrefix("llm/") { return "\(type) events are written by an agent's runtime only" }
        if type.hasPrefix("agent/") && path == agent { return "an agent may not append \(type) to its own stream" }
        return nil
    }
}

/// `read_stream {path, after?, limit?}`: events of a stream as JSON lines.
public struct ReadStreamTool: AgentTool {
    public let definition = ToolDefinition(
        name: "read_stream", description: "Read events of a Spool stream.",
        parameters: [
            "type": "object", "required": ["path"],
            "properties": [
                "path": ["type": "string"], "after": ["type": "integer", "description": "Offset to read after (default 0)"],
                "limit": ["type": "integer", "description": "At most this many events (default 50, max 500)"],
            ],
        ])

    public init() {}

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        let path = try StreamPath(try arguments.requiredString("path"))
        let after = Int(arguments["after"]?.intValue ?? 0)
        let limit = min(500, max(1, Int(arguments["limit"]?.intValue ?? 50)))
        let events = try await context.store.read(path, after: max(0, after), limit: limit)
        if events.isEmpty { return .output("no events in \(path) after offset \(after)") }
        return .output(events.map(\.jsonString).joined(separator: "\n"))
    }
}

/// `http_request {method, url, headers?, body?}`: only to hosts in `SPOOL_HTTP_ALLOW`.
public struct HTTPRequestTool: AgentTool {
    public let definition = ToolDefinition(
        name: "http_request", description: "Make an HTTP request to an allowed host; returns status and body.",
        parameters: [
            "type": "object", "required": ["method", "url"],
            "properties": [
                "method": ["type": "string"], "url": ["type": "string"],
                "headers": ["type": "object", "additionalProperties": ["type": "string"]], "body": ["type": "string"],
            ],
        ])

    public init() {}

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        var headers = HTTPHeaders()
        for member in arguments["headers"]?.objectValue?.members ?? [] {
            if let value = member.value.stringValue { headers.add(name: member.key, value: value) }
        }
        let request = AllowListedFetch.Request(
            url: try arguments.requiredString("url"), method: .init(rawValue: (arguments["method"]?.stringValue ?? "GET").uppercased()),
            headers: headers, body: arguments["body"]?.stringValue)
        let fetcher = AllowListedFetch(
            allowedHosts: context.httpAllowedHosts.map { $0.lowercased() }, allowListName: "SPOOL_HTTP_ALLOW", timeout: .seconds(30),
            maximumBodyBytes: 256 * 1024)
        do {
            let response = try await fetcher.perform(request)
            return .output("HTTP \(response.status.code)\n\(response.body)", isError: response.status.code >= 400)
        } catch let refused as AllowListedFetch.Refused {
            throw ToolError("\(refused)")
        }
    }
}

/// `wait {seconds}`: completes later, through the scheduler (a scheduled `tool/call-completed`).
public struct WaitTool: AgentTool {
    public let definition = ToolDefinition(
        name: "wait", description: "Wait for a number of seconds before continuing.",
        parameters: ["type": "object", "required": ["seconds"], "properties": ["seconds": ["type": "number"]]])

    public init() {}

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        guard let seconds = arguments["seconds"]?.doubleValue, seconds > 0, seconds <= 86_400 else {
            throw ToolError("'seconds' must be a number between 0 and 86400")
        }
        let completion: JSONValue = [
            "type": .string(AgentEvents.toolCallCompleted),
            "payload": ["callId": .string(context.callId), "name": "wait", "output": .string("waited \(seconds) seconds"), "isError": false],
        ]
        let schedule = try AppendInput(
            type: "spool/append-scheduled",
            payload: ["name": .string("wait-\(context.callId)"), "afterSeconds": .double(seconds), "event": completion],
            idempotencyKey: "tool:\(context.callId)")
        try await context.store.append(schedule, to: context.stream)
        return .deferred
    }
}
