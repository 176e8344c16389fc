import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// Builds the Spool server: the store, the routes and the services they need.
///
/// `spool serve` and the tests both call this, so tests exercise the real wiring.
/// - Parameters:
///   - configuration: where to listen and store, limits, auth.
///   - store: a store to serve instead of opening the SQLite one in `dataDirectory`.
///   - onServerRunning: called with the bound port once the server accepts connections.
public func buildApplication(
    configuration: SpoolServerConfiguration,
    store: (any EventStore & Service)? = nil,
    logger: Logger? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    try configuration.validate()
    var logger = logger ?? Logger(label: "spool")
    logger.logLevel = configuration.logLevel
    let store = try store ?? SQLiteEventStore(directory: configuration.dataDirectory, logger: logger)

    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware())
    if let token = configuration.authToken, !token.isEmpty {
        router.add(middleware: AuthMiddleware(token: token))
    }
    HealthRoutes(store: store).register(on: router)
    StreamRoutes(store: store, configuration: configuration, frameCache: EncodedFrameCache()).register(on: router)
    HookRoutes(store: store, configuration: configuration).register(on: router)

    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "spool"),
        services: [store, KeepAliveService(hub: store.live, interval: configuration.keepAliveInterval)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}
