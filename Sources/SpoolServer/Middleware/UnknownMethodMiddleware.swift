import Hummingbird
import SpoolCore

/// 501 `not_implemented` for a method the server serves on no path at all (`TRACE`,
/// `PROPFIND`, …), as RFC 9110 §15.6.2 asks, wherever it is sent: the router alone would
/// answer 404 on a known path, as if the path did not exist.
struct UnknownMethodMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let served = MethodNotAllowedRoutes.methods
        guard served.contains(request.method) else {
            throw SpoolError(
                .notImplemented,
                "\(request.method.rawValue) is not a method this server implements; it serves \(served.map(\.rawValue).joined(separator: ", "))")
        }
        return try await next(request, context)
    }
}
