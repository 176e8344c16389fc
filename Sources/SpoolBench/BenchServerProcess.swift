import Foundation
import SpoolServer
import SpoolTesting

/// A `spool serve` child process on a free port over a temporary directory,
/// so the benchmark measures a real server (and its memory) from outside.
public final class BenchServerProcess: Sendable {
    public let baseURL: String
    public let pid: Int32
    let process: Process
    let dataDirectory: String
    private let stopOnSignals: StopChildOnSignals

    /// Starts `executable serve --port 0 --data <tmp>` and waits for its "listening" line.
    /// - Parameter environment: variables to set for the server (for example a provider's base URL).
    public init(executable: String, environment: [String: String] = [:]) throws {
        dataDirectory = NSTemporaryDirectory() + "spool-bench-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.arguments = [
            "serve", "--port", "0", "--data", dataDirectory, "--log-level", "warning", "--circuit-breaker", "100000/0.001s",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        self.process = process
        pid = process.processIdentifier
        stopOnSignals = StopChildOnSignals(pid: process.processIdentifier, dataDirectory: dataDirectory)
        var seen = ""
        let handle = output.fileHandleForReading
        while !seen.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { throw BenchError("the server exited before listening") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = seen.range(of: "http://"), let end = seen[range.lowerBound...].firstIndex(of: " ") else {
            throw BenchError("unexpected server output: \(seen)")
        }
        baseURL = String(seen[range.lowerBound..<end])
    }

    /// The server's resident memory in bytes, from /proc.
    public var residentBytes: Int? { ProcessUsage.residentBytes(pid: pid) }

    /// Stops the server (SIGTERM, graceful) and removes its data.
    public func stop() {
        stopOnSignals.cancel()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
