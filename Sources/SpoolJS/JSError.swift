/// Why running JavaScript failed: a syntax error (with its position), an
/// uncaught exception, a CPU time limit, a memory limit, a result that is not
/// JSON, or an engine that cannot limit CPU time (so nothing is run at all).
public struct JSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax
        case exception
        case timeout
        /// The sandbox's heap went over its memory limit: the sandbox is stopped for good.
        case memoryLimit
        case invalidValue
        /// This JavaScriptCore has no execution time limit (watchdog), so no script may run.
        case unsupported
    }

    public var kind: Kind
    public var message: String
    /// 1-based line of the error in the evaluated script, when JavaScriptCore knows it.
    public var line: Int?
    /// 1-based column of the error, when JavaScriptCore knows it.
    public var column: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        guard let line else { return message }
        if let column { return "\(message) (line \(line), column \(column))" }
        return "\(message) (line \(line))"
    }
}
