import Foundation
import SpoolCore

/// The directory a SQLite store keeps its files in.
public enum DataDirectory {
    /// Creates `directory` and its parents, as `mkdir -p` does.
    /// - Throws: `SpoolError` (`internal`) naming the system's reason, which Foundation's
    ///   error for the same failure leaves out on Linux.
    public static func create(_ directory: String) throws {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw SpoolError(.internalError, "cannot create the data directory \(directory): \(String(cString: strerror(errno)))")
            }
        }
    }
}
