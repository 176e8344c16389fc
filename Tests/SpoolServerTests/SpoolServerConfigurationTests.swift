import SpoolServer
import Testing

/// `SpoolServerConfiguration.validate()`: no unauthenticated server on a public address.
@Suite(.timeLimit(.minutes(3))) struct SpoolServerConfigurationTests {
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
