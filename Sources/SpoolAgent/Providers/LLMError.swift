import Foundation

/// A failed model request: what went wrong, in words a person can act on,
/// and whether trying again later may succeed.
///
/// Messages name the provider and include its own error text; they never
/// contain an API key.
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// Whether the same request may succeed later (rate limits, overload, lost connections).
    public var retryable: Bool
    /// The HTTP status the provider answered, when it answered with an error status.
    public var status: Int?

    public init(_ message: String, retryable: Bool, status: Int? = nil) {
        self.message = message
        self.retryable = retryable
        self.status = status
    }

    public var description: String { message }

    /// This error with every occurrence of `secret` replaced, for errors built from a provider's text.
    func redacting(_ secret: String?) -> LLMError {
        guard let secret, secret.count >= 4 else { return self }
        var copy = self
        copy.message = message.replacingOccurrences(of: secret, with: "[redacted]")
        return copy
    }
}
