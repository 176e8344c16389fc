import Foundation
import SpoolCore

/// A tool call the model asked for.
public struct ToolCall: Sendable, Equatable {
    /// The provider's id for this call (`call_…`, `toolu_…`); a ``ToolResult`` answers it.
    public var id: String
    public var name: String
    /// The arguments, normally an object. When the model produced text that is
    /// not JSON, this is that text as a `.string`, so the tool can report the error.
    public var arguments: JSONValue

    public init(id: String, name: String, arguments: JSONValue = .emptyObject) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// `{id, name, arguments}`, as the agent stores it in events.
    public var jsonValue: JSONValue {
        ["id": .string(id), "name": .string(name), "arguments": arguments]
    }

    /// Reads `{id, name, arguments}`; `nil` when `id` or `name` is missing.
    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue else { return nil }
        self.init(id: id, name: name, arguments: json["arguments"] ?? .emptyObject)
    }

    /// Arguments from the JSON text a model streamed: `{}` when empty, the text itself when it is not JSON.
    static func parseArguments(_ text: String) -> JSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .emptyObject }
        return (try? JSONValue.parse(trimmed)) ?? .string(text)
    }

    /// The arguments as the JSON text providers expect back in the conversation.
    var argumentsText: String {
        if case .string(let raw) = arguments { return raw }
        return arguments.jsonString
    }
}
