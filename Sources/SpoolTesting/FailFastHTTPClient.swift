import AsyncHTTPClient

/// An HTTP client that reports an unreachable server at once instead of retrying
/// until its deadline: for tests that kill servers on purpose.
public let failFastHTTPClient: HTTPClient = {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool.retryConnectionEstablishment = false
    configuration.timeout.connect = .seconds(2)
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}()
