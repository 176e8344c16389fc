import Foundation

extension ChildProcess {
    /// Runs `executable` to its end and returns its exit status and what it printed (output
    /// and errors together). A child still running after `patience` is killed.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        patience: TimeInterval = SpoolProcess.patience
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, standardInput: nil)
        let output = PipeCollector(child.standardOutput)
        let errors = PipeCollector(child.standardError)
        return await offload {
            let deadline = Date(timeIntervalSinceNow: patience)
            if !(output.waitForEnd(until: deadline) && errors.waitForEnd(until: deadline)) {
                Foundation.kill(child.processIdentifier, SIGKILL)
            }
            child.waitUntilExit()
            return (child.terminationStatus, output.text + errors.text)
        }
    }
}
