import Hummingbird
import Logging

/// Counts and times every request for the metrics, and logs one line per request at debug
/// level: method, path, status, duration.
struct RequestObserverMiddleware: RouterMiddleware {
    typealias Context = SpoolRequestContext

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            observe(request, context: context, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            observe(request, context: context, status: error.status.code, since: start)
            throw error
        }
    }

    private func observe(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let method = context.answersHead ? HTTPRequest.Method.head : request.method
        metrics.recordRequest(
            method: MethodNotAllowedRoutes.methods.contains(method) ? method.rawValue : "other", route: context.endpointPath ?? "NotFound", status: status, nanoseconds: nanoseconds)
        guard context.logger.logLevel <= .debug else { return }
        context.logger.debug("\(method) \(request.uri.path) \(status)", metadata: ["spool.durationMicros": "\(nanoseconds / 1000)"])
    }
}
