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

extension Duration {
    /// Whole or fractional seconds as people write them: `120 s`, `0.5 s`.
    var secondsText: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        let text = milliseconds % 1000 == 0 ? "\(milliseconds / 1000)" : "\(Double(milliseconds) / 1000)"
        return text + " s"
    }
}
