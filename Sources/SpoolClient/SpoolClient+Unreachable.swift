import AsyncHTTPClient
import Foundation
import NIOCore
import SpoolCore

extension SpoolClient {
    /// The error for a request that never got an answer, with the reason in words a
    /// user can act on (a refused connection most often means no server runs there).
    static func unreachable(_ baseURL: String, _ error: any Error) -> SpoolError {
        SpoolError(.unavailable, "cannot reach Spool at \(baseURL): \(reason(for: error))")
    }

    private static func reason(for error: any Error) -> String {
        if let error = error as? IOError, error.errnoCode == ECONNREFUSED {
            return "connection refused (is `spool serve` running there?)"
        }
        if let error = error as? HTTPClientError, error == .connectTimeout || error == .deadlineExceeded {
            return "no answer in time"
        }
        return "\(error)"
    }
}
