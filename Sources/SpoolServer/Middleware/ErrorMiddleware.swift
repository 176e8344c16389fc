import Hummingbird
import Logging
import NIOHTTP1
import SpoolCore

/// Turns every error into the contract's JSON error body, and never leaks internals.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SpoolError {
            if error.code == .internalError {
                context.logger.error("internal error", metadata: ["spool.error": "\(error)", "spool.cause": "\(error.cause.map { "\($0)" } ?? "")"])
            }
            throw error
        } catch let error as HTTPError {
            throw Self.translate(error)
        } catch let error as HTTPParserError {
            // The head was fine, the body's framing is not (a bad chunk size): the client's fault.
            throw SpoolError(.invalidRequest, "malformed HTTP request body (\(error))")
        } catch {
            context.logger.error("unhandled error", metadata: ["spool.error": "\(error)"])
            throw SpoolError(.internalError, "internal server error")
        }
    }

    static func translate(_ error: HTTPError) -> SpoolError {
        switch error.status.code {
        case 404: return SpoolError(.notFound, "no such route")
        case 405: return SpoolError(.methodNotAllowed, "method not allowed on this route")
        case 413: return SpoolError(.payloadTooLarge, "request body too large")
        case 400..<500: return SpoolError(.invalidRequest, error.body ?? "bad request")
        default: return SpoolError(.internalError, "internal server error")
        }
    }
}
