import SpoolServer
import Testing

/// `SpoolServerConfiguration.validate()`: no unauthenticated server on a public address.
@Suite(.timeLimit(.minutes(3))) struct SpoolServerConfigurationTests {
    /// The server-wide limit takes the range a stream's own configuration does: an infinite or
    /// huge window crashed the first append (its milliseconds did not fit an Int64).
    @Test func circuitBreakerLimitsAreReadWithinRange() {
        #expect(CircuitBreakerLimit("100/1s") == CircuitBreakerLimit(maxEvents: 100, windowSeconds: 1))
        #expect(CircuitBreakerLimit("500/2.5") == CircuitBreakerLimit(maxEvents: 500, windowSeconds: 2.5))
        #expect(CircuitBreakerLimit("100000/86400s") != nil)
        for text in ["3/infs", "3/nans", "3/1e18s", "10/1e400s", "10/86401s", "100001/1s", "0/1s", "-5/1s", "5/0s", "5/-1s", "5", "a/1s", "5/1s/2"] {
            #expect(CircuitBreakerLimit(text) == nil, "\(text)")
        }
    }

    @Test func loopbackNeedsNoToken() throws {
        for host in ["127.0.0.1", "localhost", "::1"] {
            var configuration = SpoolServerConfiguration()
            configuration.host = host
            #expect(configuration.isLoopback)
            try configuration.validate()
        }
    }

    @Test func publicAddressWithoutTokenIsRefused() {
        var configuration = SpoolServerConfiguration()
        configuration.host = "0.0.0.0"
        #expect(!configuration.isLoopback)
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.authToken = ""
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
    }

    @Test func publicAddressWithTokenOrInsecureIsAccepted() throws {
        var withToken = SpoolServerConfiguration()
        withToken.host = "0.0.0.0"
        withToken.authToken = "secret"
        try withToken.validate()

        var insecure = SpoolServerConfiguration()
        insecure.host = "0.0.0.0"
        insecure.insecure = true
        try insecure.validate()
    }

    @Test func refusedConfigurationDoesNotStart() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await withSpoolServer(configure: { $0.host = "0.0.0.0" }) { _ in }
        }
    }
}
