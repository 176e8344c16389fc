import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SpoolCore

/// Sends a provider's requests: retries 429, 5xx, connection errors and
/// providers that fall silent with backoff, and turns every other failure into
/// an ``LLMError`` that quotes the provider's own message (never the API key).
struct ProviderTransport: Sendable {
    let provider: String
    let http: HTTPClient
    let retryPolicy: RetryPolicy
    /// The longest the provider may send nothing, per attempt: for the response to start
    /// (status and headers), and between two chunks of its body.
    let idleTimeout: Duration
    let logger: Logger
    let apiKey: APIKey?
    /// Appended to 401 and 403 errors, such as "check OPENAI_API_KEY".
    let credentialHint: String

    /// Sends `request` until it succeeds, fails for good, or runs out of attempts.
    ///
    /// - Parameter failures: failed attempts so far, shared with the stream
    ///   reader so that retries mid-stream and up front draw on one budget.
    func send(_ request: HTTPClientRequest, failures: inout Int) async throws -> HTTPClientResponse {
        while true {
            try Task.checkCancellation()
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: .init(idleTimeout), logger: logger)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                try await retry(after: connectionError(error, url: request.url), failures: &failures, retryAfter: nil)
                continue
            }
            let status = Int(response.status.code)
            if (200..<300).contains(status) {
                guard response.headers.first(name: "content-type")?.lowercased().hasPrefix("application/json") == true else {
                    return response
                }
                // A server that ignored `stream: true` (or a proxy answering for it) sent one JSON document.
                let body = try? await response.body.collect(upTo: 1 << 20)
                throw LLMError(
                    "\(provider): expected a streamed answer (text/event-stream) but the server sent JSON: "
                        + Self.providerMessage(body.map { String(buffer: $0) } ?? ""), retryable: false
                ).redacting(apiKey?.value)
            }
            let body = try? await response.body.collect(upTo: 1 << 20)
            try await retry(
                after: statusError(status: status, reason: response.status.reasonPhrase, body: body, headers: response.headers),
                failures: &failures, retryAfter: Self.retryAfter(response.headers))
        }
    }

    /// Counts a failure and waits before the next attempt, or throws `error` when it should not be retried.
    func retry(after error: LLMError, failures: inout Int, retryAfter: Duration?) async throws {
        failures += 1
        guard error.retryable, let delay = retryPolicy.delay(afterFailure: failures, retryAfter: retryAfter) else {
            throw error.redacting(apiKey?.value)
        }
        logger.notice(
            "LLM request failed; retrying",
            metadata: [
                "spool.provider": .string(provider), "spool.attempt": .stringConvertible(failures + 1),
                "spool.error": .string(error.redacting(apiKey?.value).message),
                "spool.delay": .stringConvertible(delay),
            ])
        try await Task.sleep(for: delay)
    }

    func statusError(
        status: Int, reason: String, body: ByteBuffer?, headers: some Sequence<(name: String, value: String)>
    ) -> LLMError {
        let text = body.map { String(buffer: $0) } ?? ""
        var detail = Self.providerMessage(text)
        if detail.isEmpty { detail = reason }
        if status == 401 || status == 403 { detail += " (\(credentialHint))" }
        var message = "\(provider): HTTP \(status): \(detail)"
        if let requestID = headers.first(where: { ["x-request-id", "request-id"].contains($0.name.lowercased()) })?.value {
            message += " [request \(requestID)]"
        }
        return LLMError(message, retryable: status == 429 || status >= 500, status: status).redacting(apiKey?.value)
    }

    func connectionError(_ error: any Error, url: String) -> LLMError {
        let target = URL(string: url).map { "\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")" } ?? "the provider"
        if (error as? HTTPClientError) == .deadlineExceeded {
            return silenceError(while: "no response from \(target)")
        }
        // A bad base URL or a client that was shut down will not get better by waiting.
        let permanent: Set<String> = ["Invalid URL", "Empty host", "Empty scheme", "Unsupported scheme", "Missing socket path", "Already shutdown"]
        let retryable = !permanent.contains((error as? HTTPClientError)?.shortDescription ?? "")
        return LLMError("\(provider): cannot reach \(target): \(error)", retryable: retryable).redacting(apiKey?.value)
    }

    /// The provider sent nothing for ``idleTimeout``: retryable, as a lost connection is.
    /// - Parameter situation: what Spool was waiting for, such as "while streaming the answer".
    func silenceError(while situation: String) -> LLMError {
        LLMError(
            "\(provider): the provider sent nothing for \(idleTimeout.secondsText) (\(situation); SPOOL_LLM_IDLE_TIMEOUT)",
            retryable: true)
    }

    /// The human part of an error body in any of the shapes providers use:
    /// `{"error":{"type","message"}}` (OpenAI, Anthropic), `{"error":"…"}`
    /// (Ollama), `{"message":"…"}` or `{"detail":"…"}` (vLLM, proxies), else the text.
    static func providerMessage(_ text: String) -> String {
        guard let json = try? JSONValue.parse(text) else {
            return String(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
        }
        let error = json["error"]
        if let message = error?["message"]?.stringValue {
            if let type = error?["type"]?.stringValue ?? error?["code"]?.stringValue, !type.isEmpty { return "\(type): \(message)" }
            return message
        }
        if let message = error?.stringValue ?? json["message"]?.stringValue ?? json["detail"]?.stringValue { return message }
        return String(json.jsonString.prefix(500))
    }

    /// `retry-after-ms` or `retry-after` (seconds) of a response.
    static func retryAfter(_ headers: some Sequence<(name: String, value: String)>) -> Duration? {
        for header in headers {
            switch header.name.lowercased() {
            case "retry-after-ms": if let ms = Double(header.value) { return .milliseconds(ms) }
            case "retry-after": if let seconds = Double(header.value) { return .milliseconds(seconds * 1000) }
            default: continue
            }
        }
        return nil
    }
}
