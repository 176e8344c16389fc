import Foundation

extension ChildProcess {
    /// Runs `executable` to its end and returns its exit status and what it printed (output
    /// and errors together). A child still running after `patience` is killed.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        patience: TimeInterval = SpoolProcess.patience
    ) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, standardInput: nil)
        let output = PipeCollector(child.standardOutput)
        let errors = PipeCollector(child.standardError)
        return await offload {
            child.finish(draining: output, errors, until: Date(timeIntervalSinceNow: patience))
            return (child.terminationStatus, output.text + errors.text)
        }
    }

    /// Waits (blocking) until the child has closed both pipes and exited; a child not done
    /// by `deadline` is killed. Returns whether it ended by itself.
    @discardableResult
    func finish(draining output: PipeCollector, _ errors: PipeCollector, until deadline: Date) -> Bool {
        let ended = output.waitForEnd(until: deadline) && errors.waitForEnd(until: deadline) && waitForExit(until: deadline)
        if !ended { Foundation.kill(processIdentifier, SIGKILL) }
        waitUntilExit()
        return ended
    }

    /// Waits (blocking) until the child exits or `deadline` passes; returns whether it exited.
    func waitForExit(until deadline: Date) -> Bool {
        while isRunning {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return true
    }
}
