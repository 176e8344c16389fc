import Foundation

/// The built `spool` executable run as a child process, as a user would run it.
public final class SpoolProcess: @unchecked Sendable {
    public let process: ChildProcess
    /// `http://127.0.0.1:PORT` once a `serve` process listens.
    public private(set) var baseURL = ""
    private let output: PipeCollector
    private let errors: PipeCollector
    /// How long any wait on the child may take before the child is killed: a hung
    /// child fails its test instead of hanging the whole run.
    public static let patience: TimeInterval = 120

    /// The `spool` binary next to the test bundle (or `SPOOL_BINARY`).
    public static var executable: String {
        if let path = ProcessInfo.processInfo.environment["SPOOL_BINARY"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("spool").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/spool").path
    }

    /// Starts `spool serve` on a free port over `dataDirectory` and waits until it listens.
    /// - Parameters:
    ///   - softOpenFileLimit: starts the server with this soft limit on open files
    ///     (`ulimit -Sn`) instead of this process's.
    ///   - launcher: a command that runs the server as its last arguments (such as
    ///     `strace … -o FILE`). The child process is then the launcher, and `stop()` and
    ///     `terminate()` signal it, not the server: `strace -o` ignores SIGTERM, so signal
    ///     the server itself (its pid is in `DIR/spool.lock`) and then `finish()`.
    public static func serve(
        dataDirectory: String, extraArguments: [String] = [], environment: [String: String] = [:], softOpenFileLimit: Int? = nil,
        launcher: [String] = []
    ) async throws -> SpoolProcess {
        // Tests append in bursts: unless a test sets its own, the circuit breaker stays out of the way.
        let breaker = extraArguments.contains("--circuit-breaker") ? [] : ["--circuit-breaker", "100000/0.001s"]
        let server = try SpoolProcess(
            arguments: ["serve", "--port", "0", "--data", dataDirectory, "--log-level", "warning"] + breaker + extraArguments,
            environment: environment, softOpenFileLimit: softOpenFileLimit, launcher: launcher)
        try await offload { try server.waitForListening() }
        return server
    }

    public init(
        arguments: [String], environment: [String: String] = [:], standardInput: Data? = nil, softOpenFileLimit: Int? = nil,
        launcher: [String] = []
    ) throws {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        var command = [Self.executable] + arguments
        if let softOpenFileLimit {
            // The shell lowers its own limit, which the executable it becomes keeps.
            command = ["/bin/sh", "-c", "ulimit -Sn \(softOpenFileLimit) && exec \"$0\" \"$@\""] + command
        }
        command = launcher + command
        process = try ChildProcess(
            executable: command[0], arguments: Array(command.dropFirst()), environment: merged, standardInput: standardInput)
        output = PipeCollector(process.standardOutput)
        errors = PipeCollector(process.standardError)
    }

    private func waitForListening() throws {
        let deadline = Date(timeIntervalSinceNow: Self.patience)
        let printed = output.wait(until: deadline) { text, ended in text.contains("\n") || ended }
        let seen = output.text
        guard printed, seen.contains("\n") else {
            if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
            errors.waitForEnd(until: Date(timeIntervalSinceNow: 5))
            throw SpoolProcessError("server did not start listening: \(errors.text)")
        }
        guard let start = seen.range(of: "http://"), let end = seen[start.lowerBound...].firstIndex(of: " ") else {
            throw SpoolProcessError("unexpected server output: \(seen)")
        }
        baseURL = String(seen[start.lowerBound..<end])
    }

    /// Waits for exit and returns status, standard output and standard error.
    /// A child still running after `patience` is killed and its status is `SIGKILL`'s.
    public func finish() async -> (status: Int32, output: String, errors: String) {
        await offload { self.finishBlocking() }
    }

    private func finishBlocking() -> (status: Int32, output: String, errors: String) {
        var note = ""
        if !process.finish(draining: output, errors, until: Date(timeIntervalSinceNow: Self.patience)) {
            note = "\n[spool \(process.arguments.joined(separator: " ")) still running after \(Int(Self.patience)) s: killed]"
            FileHandle.standardError.write(Data((note + "\n").utf8))  // in the test log, whatever the test checks
        }
        return (process.terminationStatus, output.text, errors.text + note)
    }

    /// What the child printed since the last call, waiting up to ten seconds for something new.
    public func readOutputChunk() async -> String {
        await offload { self.output.takeUnread(waitingUntil: Date(timeIntervalSinceNow: 10)) }
    }

    /// Waits up to `patience` for the child to print `text` on standard error; whether it did.
    public func waitForErrorOutput(containing text: String) async -> Bool {
        await offload { self.errors.wait(until: Date(timeIntervalSinceNow: Self.patience)) { seen, _ in seen.contains(text) } }
    }

    /// `kill -9`: no chance to flush or close anything.
    public func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        await offload { self.process.waitUntilExit() }
    }

    /// SIGTERM without waiting (for `defer`).
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    /// SIGTERM, then wait for the graceful exit; returns the exit status
    /// (`SIGKILL`'s if the child did not exit within `patience` and was killed).
    @discardableResult
    public func terminate() async -> Int32 {
        process.terminate()
        return await offload {
            if !self.process.waitForExit(until: Date(timeIntervalSinceNow: Self.patience)) {
                Foundation.kill(self.process.processIdentifier, SIGKILL)
            }
            self.process.waitUntilExit()
            return self.process.terminationStatus
        }
    }

    /// Runs `spool ARGUMENTS` to completion.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], standardInput: Data? = nil
    ) async throws -> (status: Int32, output: String, errors: String) {
        try await SpoolProcess(arguments: arguments, environment: environment, standardInput: standardInput).finish()
    }
}

public struct SpoolProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs blocking work (waiting on a child process or a pipe) on its own thread,
/// never on the concurrency pool, whose few threads the servers under test need.
public func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

func offload<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
