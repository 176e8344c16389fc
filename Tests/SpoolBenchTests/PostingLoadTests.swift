import Foundation
import SpoolClient
import SpoolCore
import SpoolTesting
import Synchronization
import Testing

@testable import SpoolBench

/// The load generator's POSTs against a real server on loopback.
@Suite struct PostingLoadTests {
    static let body = PostBody.same(Array(BenchRunner.appendBody(count: 1).utf8))

    @Test func everyConnectionSendsEveryRequestAndMeasuresEach() async throws {
        try await TestServer.with { server in
            let node = try RawHTTPLoad(baseURL: server.baseURL, token: nil)
            let load = PostingLoad(
                targets: (0..<6).map { .init(node: node, path: "/bench/posting/\($0 % 3)") }, requestsPerConnection: 40, body: Self.body,
                threads: 2)
            let latencies = try await load.run()
            #expect(latencies.count == 240)
            #expect(latencies.allSatisfy { $0 > 0 && $0 < 60_000_000_000 })
            let heads = try await SpoolClient(baseURL: server.baseURL).streams(prefix: "/bench/posting").map(\.headOffset)
            #expect(heads == [80, 80, 80])
        }
    }

    @Test func aFreshBodyIsMadeForEachRequest() async throws {
        try await TestServer.with { server in
            let made = Atomic(0)
            let fresh = PostBody.fresh {
                let number = made.add(1, ordering: .relaxed).newValue
                return Array(#"{"type":"bench/numbered","payload":{"number":\#(number)}}"#.utf8)
            }
            let start = ContinuousClock.now
            let latencies = try await RawHTTPLoad(baseURL: server.baseURL, token: nil)
                .post("/bench/fresh", count: 5, pause: .milliseconds(40), body: fresh)
            #expect(latencies.count == 5)
            #expect(ContinuousClock.now - start >= .milliseconds(160))
            let events = try await SpoolClient(baseURL: server.baseURL).read(StreamPath("/bench/fresh"))
            #expect(events.map { $0.payload["number"]?.intValue } == [1, 2, 3, 4, 5])
        }
    }

    @Test func aRefusedRequestIsAClearErrorWithTheServersAnswer() async throws {
        try await TestServer.with(configure: { $0.authToken = "bench-secret" }) { server in
            let error = await #expect(throws: BenchError.self) {
                try await RawHTTPLoad(baseURL: server.baseURL, token: nil).post("/bench/refused", count: 3, body: Self.body)
            }
            #expect(error?.description.contains("answered 401") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains("unauthorized") == true, "\(error?.description ?? "")")
        }
    }

    @Test func aServerThatIsNotThereIsAClearError() async throws {
        let port = try Self.closedPort()
        let error = await #expect(throws: BenchError.self) {
            try await RawHTTPLoad(baseURL: "http://127.0.0.1:\(port)", token: nil).post("/bench/nowhere", count: 1, body: Self.body)
        }
        #expect(error?.description.contains("cannot connect") == true, "\(error?.description ?? "")")
    }

    @Test func aConnectionClosedMidRunIsAClearError() async throws {
        let listener = try OneShotListener()
        let error = await #expect(throws: BenchError.self) {
            try await RawHTTPLoad(baseURL: "http://127.0.0.1:\(listener.port)", token: nil).post("/bench/closed", count: 3, body: Self.body)
        }
        #expect(error?.description.contains("closed a connection after 0 of 3") == true, "\(error?.description ?? "")")
    }

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let listener = try OneShotListener(accepting: false)
        return listener.port
    }
}

/// A loopback listener that accepts one connection, reads a request and closes it unanswered.
final class OneShotListener: Sendable {
    let port: Int

    init(accepting: Bool = true) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard bound else { throw BenchError("cannot listen on loopback") }
        port = Int(UInt16(bigEndian: address.sin_port))
        guard accepting else {
            close(descriptor)
            return
        }
        Thread {
            let connection = accept(descriptor, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            close(connection)
            close(descriptor)
        }.start()
    }
}
