import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SpoolCore

/// POSTs one webhook body, retrying on connection errors and non-2xx answers
/// as a `RetryPolicy` says. The response body is never read.
struct WebhookDelivery: Sendable {
    enum Outcome: Sendable, Equatable {
        case delivered(attempts: Int)
        case failed(error: String, attempts: Int)
    }

    let httpClient: HTTPClient
    let retry: RetryPolicy
    let attemptTimeout: Duration
    let logger: Logger

    /// The request for `event` to `subscription`, signed when `secret` is given.
    static func request(
        event: Event, body: [UInt8], subscription: Subscription, secret: String?
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: subscription.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Spool-Event-Id", value: "\(event.streamPath.rawValue)@\(event.offset)")
        request.headers.add(name: "Spool-Subscription", value: subscription.name)
        if let secret {
            request.headers.add(name: WebhookSigner.headerName, value: WebhookSigner.signature(body: body, secret: secret))
        }
        request.body = .bytes(body)
        return request
    }

    /// Tries until an attempt answers 2xx or the attempts run out.
    /// - Throws: `CancellationError` when the task is cancelled (shutdown), so
    ///   that the event is handled again rather than reported as failed.
    func deliver(_ request: HTTPClientRequest, subscription: String) async throws -> Outcome {
        var attempt = 1
        while true {
            let failure: String
            do {
                let response = try await httpClient.execute(request, timeout: .nanoseconds(attemptTimeout.nanoseconds))
                if (200..<300).contains(response.status.code) { return .delivered(attempts: attempt) }
                failure = "HTTP \(response.status.code)"
            } catch {
                try Task.checkCancellation()
                failure = Self.describe(error)
            }
            guard let delay = retry.delay(afterFailure: attempt) else {
                return .failed(error: failure, attempts: attempt)
            }
            logger.debug(
                "webhook attempt failed; retrying",
                metadata: [
                    "spool.subscription": "\(subscription)", "spool.attempt": "\(attempt)", "error": "\(failure)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension WebhookDelivery {
    /// A failed attempt in words: the system's text for a socket error ("Connection refused",
    /// where NIO's own description reads "connection reset (error set): Connection refused)").
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            return "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))"
        }
        if let error = error as? HTTPClientError, error == .connectTimeout || error == .deadlineExceeded || error == .readTimeout {
            return "no answer in time (\(error))"
        }
        return String(describing: error)
    }
}
