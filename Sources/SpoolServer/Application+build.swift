import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SpoolAgent
import SpoolCore
import SpoolPostgres
import SpoolProcessors
import SpoolStore

/// Builds the Spool server: the store, the routes and the services they need.
///
/// `spool serve` and the tests both call this, so tests exercise the real wiring.
/// - Parameters:
///   - configuration: where to listen and store, limits, auth.
///   - store: a store to serve instead of opening the one `configuration` names
///     (PostgreSQL at `postgresURL`, else SQLite in `dataDirectory`).
///   - processors: processors to run besides the built-in ones.
///   - tools: agent tools besides the built-in ones (a tool of the same name replaces the built-in).
///   - onServerRunning: called with the bound port once the server accepts connections.
public func buildApplication(
    configuration: SpoolServerConfiguration,
    store: (any EventStore & ProcessorStateStore & Service)? = nil,
    processors: [any StreamProcessor] = [],
    tools: [any AgentTool] = [],
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    var logger = logger ?? Logger(label: "spool")
    logger.logLevel = configuration.logLevel
    // A SQLite directory is served by one server at a time; PostgreSQL serves many nodes.
    let directoryLock = store == nil && configuration.postgresURL == nil ? try DataDirectoryLock(directory: configuration.dataDirectory) : nil
    let store = try store ?? openStore(configuration: configuration, logger: logger)

    let metrics = ServerMetrics()
    let router = Router(context: SpoolRequestContext.self)
    router.add(middleware: RequestObserverMiddleware(metrics: metrics))
    router.add(middleware: BrowserGuardMiddleware(policy: configuration.browserPolicy))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: UnknownMethodMiddleware())
    if let token = configuration.authToken, configuration.needsToken {
        router.add(middleware: AuthMiddleware(token: token))
    }
    let scheduler = Scheduler(board: ScheduleBoard())
    let agentJobs = AgentJobQueue()
    let toolbox = Toolbox.builtIn.adding(tools)
    let agent = AgentProcessor(queue: agentJobs, toolbox: toolbox)
    let workerManager = WorkerManager(limits: configuration.workerLimits, logger: logger)
    let workers = Workers(manager: workerManager)
    let builtIns: [any StreamProcessor] = [
        CircuitBreaker(maxEvents: configuration.circuitBreaker.maxEvents, windowSeconds: configuration.circuitBreaker.windowSeconds),
        scheduler,
        Subscriptions(environment: { [environment = configuration.environment] in environment[$0] }, logger: logger),
        agent,
        workers,
    ]
    let host = ProcessorHost(
        store: store, processors: builtIns + processors, logger: logger, configuration: configuration.processorHost)
    workerManager.attach(host)
    let environment = configuration.environment
    let agentRuntime = AgentRuntime(
        queue: agentJobs, processor: agent, host: host, store: store,
        providers: ProviderRegistry(environment: environment, logger: logger), toolbox: toolbox,
        appendPrefixes: commaSeparated(environment["SPOOL_AGENT_APPEND_PREFIXES"]).compactMap { try? StreamPrefix($0) },
        httpAllowedHosts: commaSeparated(environment["SPOOL_HTTP_ALLOW"]).map { $0.lowercased() }, logger: logger)
    let live = LiveResponder()
    HealthRoutes(store: store).register(on: router)
    StreamRoutes(store: store, configuration: configuration, liveResponder: live).register(on: router)
    FeedRoutes(store: store, liveResponder: live).register(on: router)
    HookRoutes(store: store, configuration: configuration).register(on: router)
    CheckpointRoutes(store: store, configuration: configuration).register(on: router)
    ProcessorRoutes(host: host).register(on: router)
    MetricsRoutes(metrics: metrics, store: store, host: host).register(on: router)
    ConsoleRoutes().register(on: router)
    MethodNotAllowedRoutes.register(on: router)

    return Application(
        responder: HeadRequestResponder(inner: router.buildResponder()),
        server: .http1(configuration: .init(additionalChannelHandlers: [MalformedRequestResponder()])),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "spool",
            backlog: configuration.listenBacklog),
        // Shut down in reverse: the server drains, then processors save progress, then the store
        // closes, then the data directory is free for another server.
        services: (directoryLock.map { [$0] } ?? []) + [
            store, host, SchedulerService(scheduler: scheduler, host: host, store: store, logger: logger), agentRuntime,
            WorkersService(workers: workers, host: host, logger: logger),
            KeepAliveService(hub: store.live, interval: configuration.keepAliveInterval),
        ],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// The store `configuration` names: PostgreSQL when it has a URL, else SQLite.
/// - Throws: `ConfigurationError` for a SQLite database that cannot be opened or written.
func openStore(configuration: SpoolServerConfiguration, logger: Logger) throws -> any EventStore & ProcessorStateStore & Service {
    if let url = configuration.postgresURL {
        return try PostgresEventStore(url: url, logger: logger)
    }
    do {
        return try SQLiteEventStore(directory: configuration.dataDirectory, logger: logger)
    } catch let error as SpoolError {
        throw ConfigurationError(message: error.message)
    }
}

/// The items of a comma-separated setting, trimmed, without empties.
public func commaSeparated(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
