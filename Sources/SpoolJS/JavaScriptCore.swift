internal import CJavaScriptCore

/// JavaScriptCore's C API, opened the first time a sandbox is made, so a
/// server that runs no dynamic worker never maps the library.
enum JavaScriptCore {
    /// Opened once per process, on first use; thread-safe (a `static let`).
    private static let opened: Result<SpoolJavaScriptCore, JSError> = {
        let api = UnsafeMutablePointer<SpoolJavaScriptCore>.allocate(capacity: 1)
        if let failure = spool_open_javascriptcore(api) {
            api.deallocate()
            // Every function Spool calls is required, the watchdog among them: without a
            // CPU time limit no script may run at all.
            return .failure(JSError(.unsupported, "cannot use JavaScriptCore (libjavascriptcoregtk-4.1): \(String(cString: failure))"))
        }
        // Kept for the life of the process, as the library stays open.
        return .success(api.pointee)
    }()

    /// The API's functions, each named as in JavaScriptCore's headers.
    /// - Throws: `JSError` (`.unsupported`) when the library or one of its functions is missing.
    static func api() throws -> SpoolJavaScriptCore { try opened.get() }
}
