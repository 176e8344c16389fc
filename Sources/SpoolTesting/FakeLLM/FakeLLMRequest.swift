import SpoolCore

/// A request ``FakeLLMServer`` received, for tests to assert what a provider sent.
public struct FakeLLMRequest: Sendable {
    /// Which API a request was sent to.
    public enum API: String, Sendable {
        /// `POST /v1/chat/completions`
        case openAIChat = "openai-chat"
        /// `POST /v1/responses`
        case openAIResponses = "openai-responses"
        /// `POST /v1/messages`
        case anthropicMessages = "anthropic-messages"
    }

    public let api: API
    /// 1 for the first request the server received.
    public let number: Int
    public let method: String
    public let path: String
    /// Header values by lowercased name; repeated headers joined with `, `.
    public let headers: [String: String]
    /// The parsed JSON body (`null` when it was not JSON).
    public let body: JSONValue
    /// When the server received the request.
    public let receivedAt: ContinuousClock.Instant

    /// The value of header `name`, in any case.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The requested model.
    public var model: String? { body["model"]?.stringValue }
}
