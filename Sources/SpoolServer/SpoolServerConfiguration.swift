import Foundation
import Logging
import SpoolCore
import SpoolPostgres
import SpoolProcessors

/// Everything `spool serve` can be told, with the defaults it uses.
///
/// Filled from flags and environment in one place (the CLI); the tests build
/// it directly. Every key is documented in the README's configuration table.
public struct SpoolServerConfiguration: Sendable {
    /// Address to bind. Anything but loopback requires `authToken` or `insecure`.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one (tests).
    public var port = 4437
    /// Directory of the SQLite store.
    public var dataDirectory = "./spool-data"
    /// A `postgres://` URL: serve from this PostgreSQL database instead of SQLite, so
    /// several nodes can serve the same streams (env `SPOOL_POSTGRES_URL`).
    public var postgresURL: String?
    /// Bearer token required on every route but `/health` and `/hooks` (env `SPOOL_AUTH_TOKEN`).
    public var authToken: String?
    /// Allow binding a non-loopback address without a token.
    public var insecure = false
    /// Origins (`https://app.example.com`; `*` for any) whose web pages may write to the server
    /// and read its answers across origins (CORS; env `SPOOL_ALLOWED_ORIGINS`). Pages of other
    /// origins may not write (see `BrowserPolicy`).
    public var allowedOrigins: [String] = []
    /// Names a loopback server without a token answers to besides `localhost` and IP addresses,
    /// such as the one a reverse proxy passes on (env `SPOOL_ALLOWED_HOSTS`); `*` for any.
    public var allowedHosts: [String] = []
    /// Largest accepted event (payload plus metadata, as JSON).
    public var maximumEventBytes = 1 << 20
    /// Largest accepted request body.
    public var maximumRequestBytes = 8 << 20
    /// How often idle live readers get a keep-alive comment.
    public var keepAliveInterval: Duration = .seconds(10)
    /// How many connections may wait to be accepted (the kernel caps it at `net.core.somaxconn`).
    /// When a server restarts, its live readers all reconnect at once: with the usual 256, two
    /// thousand of them overflowed the queue 1,244 times and waited a second for the SYN to be
    /// sent again (p99 connect 1.1 s).
    public var listenBacklog = 4096
    /// Log level; requests are logged one line each at `.debug`.
    public var logLevel: Logger.Level = .info
    /// How in-process processors run (lanes, checkpoint interval, retries).
    public var processorHost = ProcessorHostConfiguration()
    /// What dynamic workers may use: source, state and event sizes, CPU time per call, and the
    /// memory of each worker's JavaScript sandbox (`maximumMemoryBytes`, 64 MiB).
    public var workerLimits = WorkerLimits()
    /// The environment the server reads its secrets and settings from (the process's, unless a
    /// test gives its own): where agents get providers, keys and tool limits (`OPENAI_API_KEY`,
    /// `OPENAI_BASE_URL`, `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `SPOOL_DEFAULT_MODEL`,
    /// `SPOOL_LLM_IDLE_TIMEOUT`: seconds a provider may send nothing, `SPOOL_HTTP_ALLOW`: comma-separated hosts for `http_request`, `SPOOL_AGENT_APPEND_PREFIXES`:
    /// comma-separated prefixes `append_event` may write under, besides an agent's own subtree),
    /// and subscriptions their HMAC secrets (`secretEnv`).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Default circuit-breaker limit: more than `maxEvents` in `windowSeconds` pauses a stream.
    public var circuitBreaker = CircuitBreakerLimit(maxEvents: 100, windowSeconds: 1)

    public init() {}

    /// Which store this configuration serves from, for `spool serve`'s banner (no password).
    public var storeDescription: String {
        if let postgresURL { return "PostgreSQL store \(PostgresStoreConfiguration.redacted(postgresURL))" }
        return "SQLite store in \(dataDirectory)"
    }

    /// Whether `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }

    /// Refuses configurations that would expose an unauthenticated server.
    public func validate() throws -> Void {
        guard (0...65_535).contains(port) else {
            throw ConfigurationError(message: "port \(port) is not a TCP port (0–65535; 0 picks a free one)")
        }
        if !isLoopback && !needsToken && !insecure {
            throw ConfigurationError(
                message: "refusing to bind \(host) without SPOOL_AUTH_TOKEN; set a token or pass --insecure")
        }
        if let problem = Self.problem(allowedOrigins: allowedOrigins, allowedHosts: allowedHosts) {
            throw ConfigurationError(message: problem)
        }
    }

    /// Why these cannot be `allowedOrigins` and `allowedHosts`, or `nil` when they can.
    public static func problem(allowedOrigins: [String], allowedHosts: [String]) -> String? {
        allowedOrigins.lazy.compactMap(BrowserPolicy.problem(withOrigin:)).first
            ?? allowedHosts.lazy.compactMap(BrowserPolicy.problem(withHost:)).first
    }

    /// Whether requests need `authToken`.
    public var needsToken: Bool { !(authToken ?? "").isEmpty }

    /// What web pages may ask of this server: a loopback server without a token checks the names it is called by.
    var browserPolicy: BrowserPolicy {
        BrowserPolicy(allowedOrigins: allowedOrigins, checksHost: isLoopback && !needsToken, allowedHosts: allowedHosts)
    }
}

/// A configuration that cannot be served.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A rate limit: at most `maxEvents` per `windowSeconds`; parsed from `N/SECONDSs` (e.g. `100/1s`).
public struct CircuitBreakerLimit: Sendable, Equatable {
    public var maxEvents: Int
    public var windowSeconds: Double

    public init(maxEvents: Int, windowSeconds: Double) {
        self.maxEvents = maxEvents
        self.windowSeconds = windowSeconds
    }

    /// Reads `N/Ss` (`100/1s`, `500/2.5s`) within the range a stream's own
    /// `spool/circuit-breaker-configured` allows: 1–100,000 events, above 0 and at most 86,400 s.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let events = Int(parts[0]) else { return nil }
        var window = parts[1]
        if window.hasSuffix("s") { window = window.dropLast() }
        guard let seconds = Double(window),
            let configuration = try? CircuitBreaker.Configuration(payload: ["maxEvents": .int(Int64(events)), "windowSeconds": .double(seconds)])
        else { return nil }
        self.init(maxEvents: configuration.maxEvents, windowSeconds: configuration.windowSeconds)
    }
}
