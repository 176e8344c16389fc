import HTTPTypes
import Hummingbird
import SpoolConsole
import SpoolCore

/// `GET /` and `GET /ui/{file}`: the web console, served from the assets compiled into
/// the binary. They carry no data, so they need no token (see `AuthMiddleware.isPublicAsset`);
/// the console asks for the token itself and sends it with its API calls.
struct ConsoleRoutes: Sendable {
    static let assetPrefix = "/ui/"
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    /// Scripts, styles and data only from this server: no inline script, no CDN.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/") { request, _ in
            guard let index = ConsoleAssets.index else { throw SpoolError(.notFound, "this build has no web console") }
            return Self.response(serving: index, to: request)
        }
        router.get("\(Self.assetPrefix)**") { request, _ in
            let path = String(request.uri.path.dropFirst(Self.assetPrefix.count))
            guard let asset = ConsoleAssets.asset(at: path) else {
                throw SpoolError(.notFound, "no console asset '\(path.prefix(100))'")
            }
            return Self.response(serving: asset, to: request)
        }
    }

    /// The asset, or `304 Not Modified` when the browser's copy is current. Browsers
    /// revalidate every time (`no-cache`), so a new `spool` binary is picked up at once.
    static func response(serving asset: ConsoleAsset, to request: Request) -> Response {
        var headers: HTTPFields = [
            .eTag: asset.etag, .cacheControl: "no-cache", Self.contentTypeOptions: "nosniff",
        ]
        if asset.contentType.hasPrefix("text/html") {
            headers[.contentSecurityPolicy] = contentSecurityPolicy
        }
        if let ifNoneMatch = request.headers[.ifNoneMatch],
            ifNoneMatch.split(separator: ",").contains(where: { $0.filter { $0 != " " } == asset.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
