import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SpoolAgent
import SpoolCore
import SpoolServer
import SpoolStore
import Synchronization

/// A real Spool server on a free loopback port over a fresh data directory,
/// for the duration of a test.
public struct TestServer: Sendable {
    /// `http://127.0.0.1:PORT`
    public let baseURL: String
    public let port: Int
    public let dataDirectory: String

    /// Runs `body` against a running server, then shuts the server down gracefully.
    ///
    /// - Parameters:
    ///   - configure: adjusts the configuration (port and data directory are already set).
    ///   - dataDirectory: the SQLite directory; a fresh temporary one by default.
    ///   - store: a store to serve instead of the SQLite one in `dataDirectory`,
    ///     so a test can look at it (for example `store.live.subscriberCount`).
    ///
    /// ```swift
    /// try await TestServer.with { server in
    ///     let response = try await http.get(server.baseURL + "/health")
    /// }
    /// ```
    public static func with<T: Sendable>(
        configure: (inout SpoolServerConfiguration) -> Void = { _ in },
        dataDirectory: String? = nil,
        store: (any EventStore & ProcessorStateStore & Service)? = nil,
        processors: [any StreamProcessor] = [],
        tools: [any AgentTool] = [],
        _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        let directory = dataDirectory ?? Self.temporaryDirectory()
        // A directory the caller did not give belongs to this server alone.
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var configuration = SpoolServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = directory
        configuration.logLevel = .warning
        // Tests append in bursts; the circuit breaker has its own tests with their own limit.
        configuration.circuitBreaker = CircuitBreakerLimit(maxEvents: 1_000_000, windowSeconds: 1)
        configure(&configuration)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = try await buildApplication(configuration: configuration, store: store, processors: processors, tools: tools) { port in
            portSink.yield(port)
            portSink.finish()
        }
        return try await withRunningService(app, ports: ports, portSink: portSink, logger: Logger(label: "spool-test")) { port in
            try await body(TestServer(baseURL: "http://127.0.0.1:\(port)", port: port, dataDirectory: directory))
        }
    }

    /// A new empty directory under the system's temporary directory, removed when the
    /// test process exits (tests that restart a server over one directory keep it until then).
    public static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "spool-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let first = temporaryDirectories.withLock { paths in
            paths.append(path)
            return paths.count == 1
        }
        if first { atexit { removeTemporaryDirectories() } }
        return path
    }
}

/// The directories `TestServer.temporaryDirectory()` made in this process.
private let temporaryDirectories = Mutex<[String]>([])

private func removeTemporaryDirectories() {
    for path in temporaryDirectories.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
}

public enum TestServerError: Error {
    case didNotStart
}
