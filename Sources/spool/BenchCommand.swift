import ArgumentParser
import Foundation
import SpoolBench
import SpoolClient

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a Spool server: append latency and throughput, live delivery, catch-up reads, memory.",
        discussion: """
            Without --server, starts its own `spool serve` on a free port over a
            temporary directory (build with -c release for meaningful numbers).
            Record results in BENCHMARKS.md.
              spool bench                       # the server suite, a full run
              spool bench --quick --only latency
              spool bench processors
            """)

    @Argument(help: "What to measure: 'server' (default), 'processors' (replay, lag, circuit breaker), 'agent' (harness overhead, many agents) or 'workers' (JavaScript fold rate, deploy time); the last three run in process.")
    var suite: String = "server"
    @Option(help: "Benchmark this server instead of starting one; several nodes of one cluster as URL,URL,… (appends and subscribers spread over them).") var server: String?
    @Option(name: .customLong("server-pid"), parsing: .unconditional, help: "Process id of --server, to report its memory.") var serverPID: Int32?
    @Flag(help: "A small, fast run (smoke test).") var quick = false
    @Option(parsing: .unconditional, help: "Live subscribers (1 or more).") var subscribers: Int?
    @Option(name: .customLong("catch-up-events"), parsing: .unconditional, help: "Events in the catch-up stream (1,000 or more).") var catchUpEvents: Int?
    @Option(name: .customLong("only"), help: "Run only these measurements: latency, throughput, live, catch-up.")
    var only: [String] = []

    func validate() throws {
        if let subscribers, subscribers < 1 { throw ValidationError("--subscribers takes 1 or more, not \(subscribers)") }
        if let catchUpEvents, catchUpEvents < 1000 { throw ValidationError("--catch-up-events takes 1000 or more, not \(catchUpEvents)") }
        if let serverPID, serverPID < 1 { throw ValidationError("--server-pid takes a process id, not \(serverPID)") }
    }

    func run() async throws {
        switch suite {
        case "server": try await runServerBench()
        case "processors": try await runProcessorBench()
        case "agent": try await runAgentBench()
        case "workers": try await runWorkerBench()
        default: throw ValidationError("unknown benchmark '\(suite)'; use 'server', 'processors', 'agent' or 'workers'")
        }
    }

    private func runProcessorBench() async throws {
        let bench = quick ? ProcessorBench.quick : ProcessorBench()
        let report = try await bench.run { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        printFlushed("spool bench processors (in process)\n")
        printFlushed(report.table, terminator: "")
    }

    private func runWorkerBench() async throws {
        let bench = quick ? WorkerBench.quick : WorkerBench()
        let report = try await bench.run { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        printFlushed("spool bench workers (in process, JavaScriptCore)\n")
        printFlushed(report.table, terminator: "")
    }

    private func runAgentBench() async throws {
        var bench = quick ? AgentBench.quick : AgentBench()
        bench.executable = Self.executablePath
        let report = try await bench.run { line in FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        printFlushed("spool bench agent (in process, fake provider with zero latency)\n")
        printFlushed(report.table, terminator: "")
    }

    private func runServerBench() async throws {
        var options = quick ? BenchOptions.quick : BenchOptions()
        if let subscribers { options.subscribers = subscribers }
        if let catchUpEvents { options.catchUpEvents = catchUpEvents }
        if !only.isEmpty {
            options.phases = try Set(only.map { name in
                guard let phase = BenchOptions.Phase(rawValue: name) else { throw ValidationError("unknown measurement '\(name)'") }
                return phase
            })
        }
        // Each subscriber and client holds a socket, and each of the floor's subscribers two; the
        // server started below inherits the raised limit too.
        let needed = 2 * options.subscribers + options.concurrentClients + 64
        if let openFiles = OpenFileLimit.raiseToHardLimit(), openFiles < needed {
            throw BenchError(
                "\(options.subscribers) subscribers and \(options.concurrentClients) clients need about \(needed) open files, "
                    + "but this process may open only \(openFiles) (ulimit -n); raise the limit or pass fewer --subscribers")
        }
        let process: BenchServerProcess? = server == nil ? try BenchServerProcess(executable: Self.executablePath) : nil
        defer { process?.stop() }
        let nodes = server.map { $0.split(separator: ",").map(String.init) } ?? [process!.baseURL]
        if server != nil { try await Self.checkReachable(nodes) }
        let baseURL = nodes[0]
        let http = BenchRunner.makeHTTPClient(connections: options.subscribers + options.concurrentClients + 16)
        let runner = BenchRunner(
            baseURL: baseURL, otherNodes: Array(nodes.dropFirst()), token: ProcessInfo.processInfo.environment["SPOOL_AUTH_TOKEN"], http: http,
            serverPID: process?.pid ?? serverPID)
        do {
            let report = try await runner.run(options) { line in
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
            try await http.shutdown()
            printFlushed("spool bench against \(nodes.joined(separator: ", "))\n")
            printFlushed(report.table, terminator: "")
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Asks each node for `/health` first, so a server that is not there is reported as other
    /// commands report it (`cannot reach Spool at …`), in one line, not as a failed append.
    static func checkReachable(_ nodes: [String]) async throws {
        try await reportingErrors {
            for node in nodes {
                try await SpoolClient(baseURL: node, httpClient: cliHTTPClient).health()
            }
        }
    }

    /// This executable, to start a server of the same build.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
