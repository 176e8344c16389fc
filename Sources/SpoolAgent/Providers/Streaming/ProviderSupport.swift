import Logging

extension ToolResult {
    /// The output as APIs without an error flag see it: failures say so.
    var textForModel: String {
        isError ? "Error: " + output : output
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}

/// A logger that discards everything: the default when a caller passes none.
let disabledLogger = Logger(label: "spool.agent", factory: { _ in SwiftLogNoOpLogHandler() })
