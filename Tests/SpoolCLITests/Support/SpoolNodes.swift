import AsyncHTTPClient
import SpoolClient
import SpoolCore
import SpoolTesting

/// Real `spool serve --postgres` processes: the nodes of a cluster.
enum SpoolNodes {
    /// Starts one node on the database at `postgresURL` and waits until it answers `/health`.
    static func start(
        postgresURL: String, extraArguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> SpoolProcess {
        let node = try await SpoolProcess.serve(
            dataDirectory: TestServer.temporaryDirectory(), extraArguments: ["--postgres", postgresURL] + extraArguments,
            environment: environment)
        do {
            try await SpoolClient(baseURL: node.baseURL).health()
        } catch {
            node.stop()
            throw error
        }
        return node
    }

    /// Runs `body` with `count` nodes started one after the other, so the first holds every
    /// processor's lease; then shuts them down gracefully (or stops them if `body` failed).
    static func with(
        _ count: Int, postgresURL: String, extraArguments: [String] = [], environment: [String: String] = [:],
        _ body: ([SpoolProcess]) async throws -> Void
    ) async throws {
        var nodes: [SpoolProcess] = []
        defer { for node in nodes { node.stop() } }
        for _ in 0..<count {
            nodes.append(try await start(postgresURL: postgresURL, extraArguments: extraArguments, environment: environment))
        }
        try await body(nodes)
        for node in nodes { await node.terminate() }
    }

    /// What `/health` answers: 200, or the error's status with its code and message.
    static func healthStatus(_ client: SpoolClient) async throws -> (code: Int, body: String) {
        do {
            try await client.health()
            return (200, "")
        } catch let error as SpoolError {
            return (error.code.httpStatus, "\(error.code) \(error.message)")
        }
    }

    /// What `GET /metrics` answers: its status and text.
    static func metrics(_ node: SpoolProcess) async throws -> (code: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: node.baseURL + "/metrics"), timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
