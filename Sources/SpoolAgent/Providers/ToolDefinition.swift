import SpoolCore

/// A tool the model may call: its name, what it does, and its arguments' JSON Schema.
///
/// ```swift
/// ToolDefinition(
///     name: "read_stream", description: "Reads events of a stream.",
///     parameters: ["type": "object", "properties": ["path": ["type": "string"]], "required": ["path"]])
/// ```
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    /// A JSON Schema of type `object` describing the arguments.
    public var parameters: JSONValue

    public init(name: String, description: String, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
