import AsyncHTTPClient

extension HTTPClient {
    /// The client agents use for model providers. `HTTPClient.shared` allows only a few
    /// connections per host, which would queue a hundred agents' streams behind each other;
    /// this one allows as many concurrent streams as a server runs agents.
    ///
    /// It sets no read timeout: how long a provider may stay silent is each provider's
    /// `idleTimeout` (`SPOOL_LLM_IDLE_TIMEOUT`), which `ProviderTransport` enforces per attempt.
    public static let llm: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
