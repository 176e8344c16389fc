import Hummingbird
import SpoolCore

/// 405 `method_not_allowed`, with `Allow`, for a path the server knows asked with a
/// method it does not serve there. (The router alone answers 404 `not_found`, as for
/// a path it does not know.) Register it after every other route: it reads them.
enum MethodNotAllowedRoutes {
    /// The methods the server serves (each route some of them); the metrics count any other as `other`.
    /// `HEAD` is answered as a `GET` (see `HeadRequestResponder`), so it is allowed wherever `GET` is.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    static func register(on router: Router<SpoolRequestContext>) {
        let routesByPath = Dictionary(grouping: router.routes) { $0.path.description }
        for routes in routesByPath.values {
            var allowed = Set(routes.map(\.method))
            if allowed.contains(.get) { allowed.insert(.head) }
            let allow = methods.filter(allowed.contains).map(\.rawValue)
            // No route for HEAD: it is routed as a GET, which answers 405 here if it is missing.
            for method in methods where !allowed.contains(method) && method != .head {
                router.on(routes[0].path, method: method) { _, _ -> Response in
                    throw SpoolError(
                        .methodNotAllowed, "\(method.rawValue) is not allowed here; use \(allow.joined(separator: " or "))",
                        details: ["allow": .array(allow.map(JSONValue.string))])
                }
            }
        }
    }
}
