import Hummingbird
import Logging
import ServiceLifecycle

/// Runs a server `Service` for the length of `body`, then shuts it down gracefully.
///
/// The service reports its bound port through `ports` (finish the stream if it
/// cannot start); `body` gets that port.
func withRunningService<T: Sendable>(
    _ service: some Service, ports: AsyncStream<Int>, portSink: AsyncStream<Int>.Continuation, logger: Logger,
    _ body: (Int) async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { portSink.finish() }  // a server that fails to start must not leave us waiting
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await tasks.waitForAll()
            throw TestServerError.didNotStart
        }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

/// Serves `responder` on a free loopback port for the length of `body`, which gets the port.
func withLoopbackServer<Responder: HTTPResponder, T: Sendable>(
    _ responder: Responder, serverName: String, logger: Logger, _ body: (Int) async throws -> T
) async throws -> T where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
    let (ports, portSink) = AsyncStream<Int>.makeStream()
    let app = Application(
        responder: responder,
        configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: serverName),
        onServerRunning: { channel in
            portSink.yield(channel.localAddress?.port ?? 0)
            portSink.finish()
        },
        logger: logger)
    return try await withRunningService(app, ports: ports, portSink: portSink, logger: logger, body)
}
