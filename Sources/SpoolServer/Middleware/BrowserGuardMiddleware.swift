import HTTPTypes
import Hummingbird
import SpoolCore

/// Applies the `BrowserPolicy`: refuses what a web page may not ask, answers allowed origins'
/// CORS preflights, and lets their pages read the answers (errors included).
struct BrowserGuardMiddleware: RouterMiddleware {
    typealias Context = SpoolRequestContext

    let policy: BrowserPolicy

    /// What a page of an allowed origin may send, and read back.
    static let allowedMethods = "GET, HEAD, POST, PUT"
    static let exposedHeaders = "Spool-Head-Offset, Spool-Head-Position"
    /// How long a browser may keep a preflight's answer, in seconds.
    static let preflightMaxAge = "600"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let headers = request.headers
        let seen = BrowserPolicy.Request(
            method: request.method.rawValue, path: Substring(request.uri.path), host: request.head.authority,
            // One Host header at most (`HTTPVersionRules`): it is the request's authority.
            origin: headers[.origin], fetchSite: headers[Self.secFetchSite],
            preflightMethod: request.method == .options ? headers[.accessControlRequestMethod] : nil)
        switch policy.verdict(for: seen) {
        case .serve:
            return try await next(request, context)
        case .refuse(let message):
            throw SpoolError(.forbidden, message)
        case .answerPreflight(let allowOrigin):
            var answer: HTTPFields = [
                .accessControlAllowOrigin: allowOrigin,
                .accessControlAllowMethods: Self.allowedMethods,
                .accessControlMaxAge: Self.preflightMaxAge,
                .vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ]
            // The token travels in a header, so a page may send the headers it asks for.
            if let asked = headers[.accessControlRequestHeaders] { answer[.accessControlAllowHeaders] = asked }
            return Response(status: .noContent, headers: answer)
        case .serveAcrossOrigins(let allowOrigin):
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as SpoolError {
                response = try error.response(from: request, context: context)
            }
            response.headers[.accessControlAllowOrigin] = allowOrigin
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
            response.headers[values: .vary].append("Origin")
            return response
        }
    }

    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
