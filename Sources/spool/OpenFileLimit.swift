import Glibc

/// This process's limit on open files (`ulimit -n`): every connection holds one.
///
/// Many systems start processes with a soft limit of 1,024, far below the hard
/// limit, which would cap a server at about a thousand live readers and make it
/// refuse the rest without a word. Like most servers (and Go programs since 1.19),
/// `spool` raises its soft limit to the hard one when it starts.
enum OpenFileLimit {
    /// Below this many open files a server warns that it cannot hold many connections.
    static let comfortable = 4096

    /// Raises the soft limit to the hard limit, if it is lower.
    /// - Returns: the limit now in force, or `nil` if it cannot be read.
    @discardableResult
    static func raiseToHardLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return Int(clamping: raised.rlim_cur) }
        }
        return Int(clamping: limit.rlim_cur)
    }

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
