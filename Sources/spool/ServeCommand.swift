import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import SpoolAgent
import SpoolCore
import SpoolProcessors
import SpoolServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a Spool server on an embedded SQLite store, or as one node of several on PostgreSQL.",
        discussion: """
            Set SPOOL_AUTH_TOKEN to require 'Authorization: Bearer <token>' on every
            route but /health and /hooks. Binding anything but loopback without a
            token is refused unless --insecure is given.
            With --postgres (or SPOOL_POSTGRES_URL), every node started on the same
            database serves the same streams.
            Stop with Ctrl-C or SIGTERM: in-flight appends finish, live reads end,
            the database closes cleanly.
            """)

    @Option(help: "Address to bind (env SPOOL_HOST).")
    var host = ProcessInfo.processInfo.environment["SPOOL_HOST"] ?? "127.0.0.1"
    @Option(name: .customLong("port"), parsing: .unconditional, help: "Port to bind; 0 picks a free one (env SPOOL_PORT; default 4437).")
    var portFlag: Int?
    @Option(help: "Data directory for the SQLite store (env SPOOL_DATA).")
    var data = ProcessInfo.processInfo.environment["SPOOL_DATA"] ?? "./spool-data"
    @Option(help: "Serve from this PostgreSQL database instead of SQLite, e.g. postgres://spool@127.0.0.1:5432/spool (env SPOOL_POSTGRES_URL).")
    var postgres: String?
    @Flag(help: "Allow binding a non-loopback address without SPOOL_AUTH_TOKEN.")
    var insecure = false
    @Option(
        name: .customLong("allowed-origin"),
        help: "An origin (https://app.example.com, or *) whose web pages may write here and read the answers (CORS); repeatable (env SPOOL_ALLOWED_ORIGINS, comma-separated).")
    var allowedOriginFlags: [String] = []
    @Option(
        name: .customLong("allowed-host"),
        help: "A name this server answers to besides localhost and IP addresses when it is on loopback without a token, e.g. a reverse proxy's; repeatable (env SPOOL_ALLOWED_HOSTS, comma-separated).")
    var allowedHostFlags: [String] = []
    @Option(
        name: .customLong("circuit-breaker"),
        help: "Pause a stream that receives more than N events in S seconds, as N/Ss (env SPOOL_CIRCUIT_BREAKER).")
    var circuitBreaker = ProcessInfo.processInfo.environment["SPOOL_CIRCUIT_BREAKER"] ?? "100/1s"
    @Flag(help: "Also run the demo processors: demo/ping → demo/pong on /demo/**, and a runaway loop on /loop/** for the circuit breaker.")
    var demo = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env SPOOL_LOG_LEVEL). debug logs every request.")
    var logLevel = ProcessInfo.processInfo.environment["SPOOL_LOG_LEVEL"] ?? "info"

    /// The port to bind: `--port`, else `SPOOL_PORT`, else 4437.
    var port: Int {
        portFlag ?? ProcessInfo.processInfo.environment["SPOOL_PORT"].flatMap { Int($0) } ?? 4437
    }

    /// `--allowed-origin`s, else `SPOOL_ALLOWED_ORIGINS`.
    var allowedOrigins: [String] {
        allowedOriginFlags.isEmpty ? commaSeparated(ProcessInfo.processInfo.environment["SPOOL_ALLOWED_ORIGINS"]) : allowedOriginFlags
    }

    /// `--allowed-host`s, else `SPOOL_ALLOWED_HOSTS`.
    var allowedHosts: [String] {
        allowedHostFlags.isEmpty ? commaSeparated(ProcessInfo.processInfo.environment["SPOOL_ALLOWED_HOSTS"]) : allowedHostFlags
    }

    /// Options checked before anything starts, so a mistake prints `serve`'s own usage.
    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown log level '\(logLevel)'; use trace, debug, info, notice, warning or error")
        }
        // The flag wins; SPOOL_PORT is read (and must be a number) only without it.
        if portFlag == nil, let text = ProcessInfo.processInfo.environment["SPOOL_PORT"], !text.isEmpty, Int(text) == nil {
            throw ValidationError("SPOOL_PORT must be a port number, not '\(text)'")
        }
        if let problem = SpoolServerConfiguration.problem(allowedOrigins: allowedOrigins, allowedHosts: allowedHosts) {
            throw ValidationError(problem)
        }
        guard (0...65535).contains(port) else {
            throw ValidationError("port \(port) is not a TCP port (0–65535; 0 picks a free one); check --port or SPOOL_PORT")
        }
        if let problem = ProviderConfiguration(environment: ProcessInfo.processInfo.environment).problem {
            throw ValidationError(problem)
        }
        guard CircuitBreakerLimit(circuitBreaker) != nil else {
            throw ValidationError(
                "--circuit-breaker takes N/Ss with N from 1 to 100000 and S above 0 and at most 86400, e.g. 100/1s; not '\(circuitBreaker)'")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in ServerLogHandler(label: label) }
        if let openFiles = OpenFileLimit.raiseToHardLimit(), openFiles < OpenFileLimit.comfortable {
            Logger(label: "spool").warning(
                "this process may open only \(openFiles) files (ulimit -n), one for each connection: raise the hard limit to serve more live readers")
        }
        var configuration = SpoolServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = data
        configuration.postgresURL = postgres ?? ProcessInfo.processInfo.environment["SPOOL_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let storeDescription = configuration.storeDescription
        configuration.insecure = insecure
        configuration.allowedOrigins = allowedOrigins
        configuration.allowedHosts = allowedHosts
        configuration.authToken = ProcessInfo.processInfo.environment["SPOOL_AUTH_TOKEN"]
        configuration.logLevel = level
        configuration.circuitBreaker = CircuitBreakerLimit(circuitBreaker) ?? configuration.circuitBreaker
        let processors: [any StreamProcessor] = demo ? [PingPong(), Runaway()] : []
        let displayHost = host.contains(":") ? "[\(host)]" : host
        let app: any ApplicationProtocol
        do {
            app = try await buildApplication(configuration: configuration, processors: processors) { boundPort in
                printFlushed("Spool listening on http://\(displayHost):\(boundPort) (\(storeDescription))")
                printFlushed(ProviderRegistry(environment: ProcessInfo.processInfo.environment).describe())
            }
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        do {
            try await app.runService()
        } catch let error as IOError where Self.bindFailures.keys.contains(error.errnoCode) {
            let reason = Self.bindFailures[error.errnoCode] ?? ""
            FileHandle.standardError.write(Data("error: cannot listen on \(displayHost):\(port): \(reason)\n".utf8))
            throw ExitCode(2)
        } catch let error as SocketAddressError.UnknownHost {
            FileHandle.standardError.write(Data("error: cannot listen on \(displayHost):\(port): no address is known for \(error.host); check --host\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Why binding the address can fail, as a user can act on it.
    static let bindFailures: [Int32: String] = [
        EADDRINUSE: "the port is in use (another spool serve?); choose another with --port",
        EACCES: "permission denied (ports below 1024 need privileges); choose another with --port",
        EADDRNOTAVAIL: "this machine has no such address; check --host",
    ]
}
