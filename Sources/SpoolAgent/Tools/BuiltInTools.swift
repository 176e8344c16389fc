import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolCore
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
        let input = try AppendInput(
            type: try arguments.requiredString("type"), payload: arguments["payload"] ?? .emptyObject,
            metadata: ["appendedBy": .string(context.stream.rawValue)], idempotencyKey: "tool:\(context.callId)")
        let event = try await context.store.append(input, to: path)
        return .output("appended \(event.type) at \(event.streamPath) offset \(event.offset)")
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
    let httpClient: HTTPClient

    public init(httpClient: HTTPClient = .shared) { self.httpClient = httpClient }

    public func run(arguments: JSONValue, context: AgentToolContext) async throws -> ToolOutcome {
        let urlText = try arguments.requiredString("url")
        guard let url = URL(string: urlText), let host = url.host, ["http", "https"].contains(url.scheme ?? "") else {
            throw ToolError("'\(urlText)' is not an http(s) URL")
        }
        guard context.httpAllowedHosts.contains(host.lowercased()) else {
            throw ToolError("host \(host) is not allowed; set SPOOL_HTTP_ALLOW (allowed now: \(context.httpAllowedHosts.joined(separator: ", ")))")
        }
        var request = HTTPClientRequest(url: urlText)
        request.method = .init(rawValue: (arguments["method"]?.stringValue ?? "GET").uppercased())
        for member in arguments["headers"]?.objectValue?.members ?? [] {
            if let value = member.value.stringValue { request.headers.add(name: member.key, value: value) }
        }
        if let body = arguments["body"]?.stringValue { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 256 * 1024)
        return .output("HTTP \(response.status.code)\n\(String(buffer: body))", isError: response.status.code >= 400)
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
