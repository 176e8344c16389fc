/// The routes every caller may use without the bearer token or a browser's permission: `/health`,
/// and `/hooks/…` (webhook senders are other servers, and a tunnel's `Host` is theirs).
enum OpenRoutes {
    /// Whether `path` is one of them; the router ignores a trailing slash, so this does too.
    static func contains(_ path: Substring) -> Bool {
        var path = path
        if path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return path == "/health" || path.hasPrefix("/hooks/")
    }
}
