#if canImport(CJavaScriptCore)
    import CJavaScriptCore
    import Glibc
#else
    import JavaScriptCore
    import Darwin
#endif

/// JavaScriptCore's watchdog: `JSContextGroupSetExecutionTimeLimit` and
/// `JSContextGroupClearExecutionTimeLimit`. Linux's JavaScriptCore declares them
/// in its headers; Apple's framework exports them without public declarations.
/// Both are looked up by name here, so every platform runs this one path.
enum ExecutionTimeLimit {
    /// Called when the limit is reached; `true` terminates the script.
    typealias ShouldTerminate = @convention(c) (JSContextRef?, UnsafeMutableRawPointer?) -> Bool
    typealias Set = @convention(c) (JSContextGroupRef?, Double, ShouldTerminate?, UnsafeMutableRawPointer?) -> Void
    typealias Clear = @convention(c) (JSContextGroupRef?) -> Void

    /// The two functions, or `nil` when this JavaScriptCore lacks them.
    static let functions: (set: Set, clear: Clear)? = {
        #if canImport(Darwin)
            let everywhere = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
            let everywhere = dlopen(nil, RTLD_NOW)  // the program and the libraries it links
        #endif
        guard let set = dlsym(everywhere, "JSContextGroupSetExecutionTimeLimit"),
            let clear = dlsym(everywhere, "JSContextGroupClearExecutionTimeLimit")
        else { return nil }
        return (unsafeBitCast(set, to: Set.self), unsafeBitCast(clear, to: Clear.self))
    }()
}
