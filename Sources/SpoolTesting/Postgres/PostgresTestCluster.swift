import Foundation

/// A PostgreSQL server of a test's own, which the test may stop and start again
/// (a real database restart), unlike the cluster `scripts/with-postgres.sh` shares
/// between suites.
///
/// It needs only PostgreSQL's programs (`initdb`, `pg_ctl`; Debian's `postgresql`
/// package). Its data lives in a temporary directory, it listens on a loopback
/// port and trusts local connections; fsync is off, since the data is thrown
/// away. Running as root, it runs as the `postgres` user (PostgreSQL refuses root).
///
/// ```swift
/// try await PostgresTestCluster.with { cluster in
///     // serve from cluster.url …
///     try await cluster.stop()
///     try await cluster.start()   // same port, same data
/// }
/// ```
public struct PostgresTestCluster: Sendable {
    /// The loopback port the server listens on, the same after each start.
    public let port: Int
    /// Where its data, socket and log live.
    let directory: String
    /// The directory of `initdb` and `pg_ctl`.
    let programs: String
    /// Put before each command: `runuser -u postgres --` when running as root.
    let commandPrefix: [String]

    /// A URL of the server's `postgres` database, as role `spool`.
    public var url: String { "postgres://spool@127.0.0.1:\(port)/postgres" }

    /// Whether PostgreSQL's programs are installed.
    public static var isAvailable: Bool { programsDirectory != nil }

    /// Whether tests of a cluster of their own run: PostgreSQL is installed, or PostgreSQL
    /// tests are required (`SPOOL_REQUIRE_POSTGRES`, as `make test` sets), and then fail without it.
    public static var isEnabled: Bool {
        isAvailable || ProcessInfo.processInfo.environment[PostgresTestDatabase.requiredVariable] != nil
    }

    /// The newest `/usr/lib/postgresql/VERSION/bin` with `initdb`, else a directory of `PATH` holding it.
    static var programsDirectory: String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let installed = versions.sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (installed + path).first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// Creates a cluster, starts it and runs `body`; stops the server and removes its data afterwards, whatever happens.
    public static func with<T>(_ body: (PostgresTestCluster) async throws -> T) async throws -> T {
        let cluster = try makeCluster()
        do {
            try await cluster.initialize()
            let started = try await cluster.startOnAFreePort()
            let result = try await body(started)
            await cluster.remove()
            return result
        } catch {
            await cluster.remove()
            throw error
        }
    }

    /// Starts the server for the first time on a free port, chosen now rather than before
    /// `initdb` (seconds earlier); should something take the port even so, on another one.
    private func startOnAFreePort() async throws -> PostgresTestCluster {
        var attempts = 1
        while true {
            let cluster = PostgresTestCluster(
                port: try LoopbackPort.freeOutsideEphemeralRange(), directory: directory, programs: programs, commandPrefix: commandPrefix)
            do {
                try await cluster.start()
                return cluster
            } catch where attempts < 5 && "\(error)".contains("Address already in use") {
                attempts += 1
            }
        }
    }

    private static func makeCluster() throws -> PostgresTestCluster {
        guard let programs = programsDirectory else {
            throw SpoolProcessError("PostgreSQL is not installed (no initdb): run scripts/install-deps.sh postgresql")
        }
        // In /tmp, not $TMPDIR: the PostgreSQL user must reach it, and the socket path must stay short.
        let directory = "/tmp/spool-postgres-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var prefix: [String] = []
        if getuid() == 0 {
            let owner = getpwnam("postgres") ?? getpwnam("nobody")
            guard let owner, let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first(where: FileManager.default.isExecutableFile)
            else { throw SpoolProcessError("running as root, but there is no postgres user or no runuser to run PostgreSQL as") }
            guard chown(directory, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0 else {
                throw SpoolProcessError("cannot hand \(directory) to the PostgreSQL user: \(String(cString: strerror(errno)))")
            }
            prefix = [runuser, "-u", String(cString: owner.pointee.pw_name), "--"]
        }
        chmod(directory, 0o700)
        return PostgresTestCluster(port: 0, directory: directory, programs: programs, commandPrefix: prefix)  // port: see startOnAFreePort
    }

    private var dataDirectory: String { directory + "/data" }
    private var logFile: String { directory + "/server.log" }

    private func initialize() async throws {
        try await run(
            "initdb", ["-D", dataDirectory, "-U", "spool", "--auth=trust", "--encoding=UTF8", "--no-sync"], what: "create the cluster")
    }

    /// Starts the server (again, on the same port and data) and waits until it accepts connections.
    public func start() async throws {
        let options = [
            "-c listen_addresses=127.0.0.1", "-c port=\(port)", "-c unix_socket_directories=\(directory)", "-c fsync=off",
            "-c max_connections=200",
        ]
        try await run(
            "pg_ctl", ["-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", options.joined(separator: " "), "start"],
            what: "start the server")
    }

    /// Stops the server as an administrator would for a restart (fast: sessions are ended,
    /// the data is checkpointed) and waits until it is down.
    public func stop() async throws {
        try await run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], what: "stop the server")
    }

    /// Stops the server if it runs and deletes its data.
    private func remove() async {
        _ = try? await launch("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs one of PostgreSQL's programs; fails with what it printed and the server's log unless it succeeds.
    private func run(_ program: String, _ arguments: [String], what: String) async throws {
        let (status, output) = try await launch(program, arguments)
        guard status == 0 else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw SpoolProcessError("cannot \(what) (\(program) exited with \(status)): \(output)\n\(log.suffix(2000))")
        }
    }

    /// Runs one of PostgreSQL's programs as the cluster's user, to its end.
    private func launch(_ program: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let command = commandPrefix + ["\(programs)/\(program)"] + arguments
        return try await ChildProcess.run(command[0], Array(command.dropFirst()))
    }
}
