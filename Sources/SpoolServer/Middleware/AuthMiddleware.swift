import Hummingbird
import SpoolCore

/// Requires `Authorization: Bearer <token>` on every route but `/health` and `/hooks/…`.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = Substring(request.uri.path)
        if OpenRoutes.contains(path) || Self.isPublicAsset(path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization], Self.isBearerScheme(header),
            Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), token)
        else {
            throw SpoolError(.unauthorized, "missing or wrong bearer token (set 'Authorization: Bearer <SPOOL_AUTH_TOKEN>')")
        }
        return try await next(request, context)
    }

    /// Whether `header` starts with `Bearer ` in any case: schemes are case-insensitive (RFC 9110 §11.1).
    static func isBearerScheme(_ header: String) -> Bool {
        header.utf8.count > 7 && header.utf8.prefix(7).elementsEqual("bearer ".utf8) { $0 | 0x20 == $1 }
    }

    /// The web console's static files carry no data; the console asks for the token itself.
    static func isPublicAsset(_ path: Substring) -> Bool {
        path == "/" || path.hasPrefix("/ui/")
    }

    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
