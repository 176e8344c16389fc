/// What web pages may ask of this server.
///
/// A browser sends any page's requests to any address, loopback included. Without a token, a
/// page from anywhere could append to a server on this machine (a cross-site `POST` with a
/// `text/plain` body needs no permission, and its answer need not be read), and by pointing a
/// name of its own at 127.0.0.1 (DNS rebinding) it could read the streams as well. So a write
/// from another origin is refused unless its origin is listed (and then answered with CORS
/// headers, so the page can read the answer), and a loopback server without a token answers
/// only to the names that cannot be rebound: `localhost` and IP addresses, and those listed.
/// `/health` and `/hooks/…` are open to everyone, as they are without a token.
///
/// Same origin is the browser's word (`Sec-Fetch-Site`), or the `Origin` header against `Host`
/// when a browser does not say. Clients that are not browsers send neither and are never refused.
struct BrowserPolicy: Sendable {
    /// Origins whose pages may read and write across origins, lower-cased, without a trailing
    /// slash; `*` admits every origin.
    let allowedOrigins: Set<String>
    /// Whether the `Host` header is checked (a loopback server without a token).
    let checksHost: Bool
    /// Host names answered besides `localhost` and IP addresses, lower-cased; `*` admits all.
    let allowedHosts: Set<String>

    init(allowedOrigins: [String], checksHost: Bool, allowedHosts: [String]) {
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalizedOrigin))
        self.checksHost = checksHost
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    /// What the policy reads of a request.
    struct Request {
        var method: String
        var path: Substring
        var host: String?
        var origin: String?
        /// `Sec-Fetch-Site`: `same-origin`, `same-site`, `cross-site` or `none` (typed by the user).
        var fetchSite: String?
        /// `Access-Control-Request-Method`, which makes an `OPTIONS` a CORS preflight.
        var preflightMethod: String?
    }

    enum Verdict: Equatable {
        /// Serve it as it is.
        case serve
        /// Serve it, and let the page read the answer: `Access-Control-Allow-Origin: allowOrigin`.
        case serveAcrossOrigins(allowOrigin: String)
        /// A CORS preflight from an allowed origin: answer it here, with what the page may send.
        case answerPreflight(allowOrigin: String)
        /// Refuse it with 403 `forbidden` and this message.
        case refuse(String)
    }

    func verdict(for request: Request) -> Verdict {
        let open = OpenRoutes.contains(request.path)
        if !open, checksHost, let host = request.host, !answers(host: host) {
            return .refuse(
                "this server does not answer to the name '\(Self.hostName(of: host))': without SPOOL_AUTH_TOKEN, a server on loopback answers only to localhost and IP addresses, so a web page cannot reach it under a name of its own (DNS rebinding); list other names with --allowed-host or SPOOL_ALLOWED_HOSTS"
            )
        }
        guard isCrossOrigin(request) else { return .serve }
        if let origin = request.origin, let allowOrigin = allowOriginValue(for: origin) {
            if request.method == "OPTIONS", request.preflightMethod != nil { return .answerPreflight(allowOrigin: allowOrigin) }
            return .serveAcrossOrigins(allowOrigin: allowOrigin)
        }
        // A page may read across origins without permission only to be refused its answer by the
        // browser; webhooks may come from anywhere.
        if open || Self.safeMethods.contains(request.method) { return .serve }
        return .refuse(
            "a web page from \(request.origin.map { "'\($0)'" } ?? "another site") may not \(request.method) to this server; list its origin with --allowed-origin or SPOOL_ALLOWED_ORIGINS to let it"
        )
    }

    static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS"]

    private func isCrossOrigin(_ request: Request) -> Bool {
        if let site = request.fetchSite?.lowercased() { return site != "same-origin" && site != "none" }
        guard let origin = request.origin else { return false }
        guard let host = request.host, let authority = Self.authority(ofOrigin: origin) else { return true }
        return authority != host.lowercased()
    }

    private func allowOriginValue(for origin: String) -> String? {
        if allowedOrigins.contains("*") { return "*" }
        return allowedOrigins.contains(Self.normalizedOrigin(origin)) ? origin : nil
    }

    /// Whether `host` (a `Host` header: a name or address, and maybe a port) is one this server answers to.
    func answers(host: String) -> Bool {
        if allowedHosts.contains("*") { return true }
        guard let name = HostName(header: host) else { return false }
        if name.isIPAddress { return true }
        let text = name.text
        return text == "localhost" || text.hasSuffix(".localhost") || allowedHosts.contains(text)
    }

    /// The name a `Host` header gives, lower-cased, for messages: the whole header when it is ill-formed.
    static func hostName(of host: String) -> String {
        HostName(header: host)?.text ?? host.lowercased()
    }

    /// `scheme://host[:port]` of an origin, lower-cased, without a trailing slash.
    static func normalizedOrigin(_ origin: String) -> String {
        var origin = Substring(origin.lowercased())
        if origin.hasSuffix("/") { origin = origin.dropLast() }
        // Browsers leave a scheme's default port out of an Origin.
        for (scheme, port) in [("http://", ":80"), ("https://", ":443")] where origin.hasPrefix(scheme) && origin.hasSuffix(port) {
            origin = origin.dropLast(port.count)
        }
        return String(origin)
    }

    /// `host[:port]` of an origin (`http://localhost:3000` → `localhost:3000`), normalized as above.
    static func authority(ofOrigin origin: String) -> String? {
        let normalized = normalizedOrigin(origin)
        return normalized.range(of: "://").map { String(normalized[$0.upperBound...]) }
    }

    /// Why `origin` cannot be listed, or `nil` when it can: `*`, or `scheme://host[:port]`.
    static func problem(withOrigin origin: String) -> String? {
        if origin == "*" { return nil }
        let normalized = normalizedOrigin(origin)
        guard let separator = normalized.range(of: "://"),
            let first = normalized.first, first.isLetter,
            normalized[..<separator.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) })
        else { return "'\(origin)' is not an origin: give scheme://host[:port], e.g. https://app.example.com, or *" }
        let authority = normalized[separator.upperBound...]
        guard !authority.isEmpty, !authority.contains(where: { "/?#@ *".contains($0) || $0.isWhitespace }) else {
            return "'\(origin)' is not an origin: give scheme://host[:port] without a path or wildcards, e.g. https://app.example.com, or * for any"
        }
        return nil
    }

    /// Why `host` cannot be listed, or `nil` when it can: a host name without scheme or port, or `*`.
    static func problem(withHost host: String) -> String? {
        if host == "*" { return nil }
        guard let name = HostName(header: host), name.bytes.count == host.utf8.count, name.bytes.first != UInt8(ascii: "[") else {
            return "'\(host)' is not a host name: give the name alone, without scheme, port or wildcards, e.g. spool.internal, or * for any"
        }
        return nil
    }
}
