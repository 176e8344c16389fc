import SpoolCore

extension StreamPrefix {
    /// The bytewise range that holds every path strictly below this prefix, so
    /// stores select a prefix with an index range scan; `nil` for the root.
    ///
    /// Paths below `/a/b` sort between `/a/b/` and `/a/b0` ('0' follows '/').
    public var descendantBounds: (lower: String, upper: String)? {
        if self == .root { return nil }
        return (rawValue + "/", rawValue + "0")
    }
}
