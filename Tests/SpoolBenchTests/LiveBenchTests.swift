import Foundation
import SpoolTesting
import Testing

@testable import SpoolBench

/// The live benchmark's readers against a real server on loopback.
@Suite struct LiveBenchTests {
    static func runLivePhase(on server: TestServer, token: String? = nil) async throws -> BenchReport {
        try await run([.live], on: server, token: token).report
    }

    /// Runs a quick bench of `phases` against `server`.
    /// - Returns: the report, and the prefix of the streams the run appended to.
    static func run(
        _ phases: Set<BenchOptions.Phase>, on server: TestServer, token: String? = nil
    ) async throws -> (report: BenchReport, runPrefix: String) {
        var options = BenchOptions.quick
        options.phases = phases
        let http = BenchRunner.makeHTTPClient(connections: 8)
        let runner = BenchRunner(baseURL: server.baseURL, token: token, http: http, serverPID: getpid())
        do {
            let report = try await runner.run(options) { _ in }
            try await http.shutdown()
            return (report, runner.runPrefix)
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func value(_ metric: String, in report: BenchReport) -> String? {
        report.rows.first { $0.metric.hasPrefix(metric) }?.value
    }

    @Test func everySubscriberMeasuresEveryEvent() async throws {
        let report = try await TestServer.with { try await Self.runLivePhase(on: $0) }
        #expect(Self.value("live events delivered", in: report) == "400 of 400")
        let p99 = try #require(Self.value("live delivery p99", in: report))
        let milliseconds = try #require(Double(p99.replacingOccurrences(of: " ms", with: "")))
        #expect(milliseconds > 0 && milliseconds < 5_000)
        #expect(Self.value("server RSS, 20 idle SSE subscribers", in: report)?.hasSuffix(" MB") == true)
        let read = try #require(Self.value("  collected by the bench", in: report))
        #expect(read.hasSuffix(" ms") && read.contains(" / "))
        let floor = try #require(Self.value("  floor: loopback writes alone", in: report))
        #expect(floor.hasSuffix(" ms") && floor.contains(" / "))
    }

    @Test func readsAServerThatRequiresAToken() async throws {
        let report = try await TestServer.with(configure: { $0.authToken = "bench-secret" }) {
            try await Self.runLivePhase(on: $0, token: "bench-secret")
        }
        #expect(Self.value("live events delivered", in: report) == "400 of 400")
    }

    @Test func aRefusedLiveReadIsAClearError() async throws {
        try await TestServer.with(configure: { $0.authToken = "bench-secret" }) { server in
            let subscribers = LiveSubscribers(
                nodes: [try RawHTTPLoad(baseURL: server.baseURL, token: nil)], path: "/bench/refused", after: 0, count: 3, threads: 2)
            let error = await #expect(throws: BenchError.self) {
                try await subscribers.measure(expected: 1, timeout: .seconds(30)) {}
            }
            #expect(error?.description.contains("401") == true)
        }
    }

    @Test func readersStopWhenPostingFails() async throws {
        try await TestServer.with { server in
            let subscribers = LiveSubscribers(
                nodes: [try RawHTTPLoad(baseURL: server.baseURL, token: nil)], path: "/bench/stopped", after: 0, count: 10, threads: 2)
            let start = ContinuousClock.now
            let error = await #expect(throws: BenchError.self) {
                try await subscribers.measure(expected: 5, timeout: .seconds(120)) { throw BenchError("posting failed") }
            }
            #expect(error?.description == "posting failed")
            // Long before the readers' deadline, however busy the machine running every test at once
            // (under such load, connecting the ten readers alone once took 10.4 s).
            #expect(ContinuousClock.now - start < .seconds(40))
        }
    }
}

/// Where the live readers take their times from.
@Suite struct LiveLatencySourceTests {
    @Test func deliveriesAreTimedByTheKernelAtTheSocket() async throws {
        try await TestServer.with { server in
            let node = try RawHTTPLoad(baseURL: server.baseURL, token: nil)
            let subscribers = LiveSubscribers(nodes: [node], path: "/bench/stamped", after: 0, count: 4, threads: 2)
            let latencies = try await subscribers.measure(expected: 3, timeout: .seconds(30)) {
                try await Task.sleep(for: .milliseconds(200))
                let stamped = PostBody.fresh { Array(#"{"type":"bench/event","payload":{"sentAt":\#(LiveLatencies.now())}}"#.utf8) }
                _ = try await node.post("/bench/stamped", count: 3, pause: .milliseconds(20), body: stamped)
            }
            #expect(latencies.atSocket.count == 12)
            #expect(latencies.atSocket.allSatisfy { $0 > 0 && $0 < 5_000_000_000 })
            // A wait of exactly 0 would mean the kernel gave no receive time and the read time stood in.
            #expect(latencies.waitsToRead.count == 12)
            #expect(latencies.waitsToRead.allSatisfy { $0 > 0 && $0 < 5_000_000_000 })
            #expect(zip(latencies.whenRead, latencies.atSocket).allSatisfy { $0 > $1 })
        }
    }
}

/// A server holds more live readers than the soft limit on open files it was started with.
@Suite struct OpenFileLimitTests {
    @Test func aServerStartedUnderALowOpenFileLimitHoldsMoreLiveReaders() async throws {
        let server = try await SpoolProcess.serve(dataDirectory: TestServer.temporaryDirectory(), softOpenFileLimit: 128)
        defer { server.stop() }
        let node = try RawHTTPLoad(baseURL: server.baseURL, token: nil)
        let subscribers = LiveSubscribers(nodes: [node], path: "/bench/limit", after: 0, count: 300, threads: 2)
        let latencies = try await subscribers.measure(expected: 1, timeout: .seconds(60)) {
            try await Task.sleep(for: .milliseconds(200))
            let stamped = PostBody.fresh { Array(#"{"type":"bench/event","payload":{"sentAt":\#(LiveLatencies.now())}}"#.utf8) }
            _ = try await node.post("/bench/limit", count: 1, pause: .zero, body: stamped)
        }
        #expect(latencies.atSocket.count == 300)
    }
}

/// The stand-in that only writes, measured by the live phase's readers.
@Suite struct FanOutFloorTests {
    @Test func everySubscriberGetsEveryRoundsFrame() async throws {
        var options = BenchOptions.quick
        options.subscribers = 6
        options.liveEvents = 4
        let runner = BenchRunner(baseURL: "http://127.0.0.1:1", token: nil, http: .shared, serverPID: nil)
        let latencies = try await runner.fanOutFloor(options)
        #expect(latencies.atSocket.count == 24)
        #expect(latencies.atSocket.allSatisfy { $0 > 0 && $0 < 5_000_000_000 })
    }

    @Test func framesAreChunkedSSEWithTheirSendTime() throws {
        let frame = FanOutFloor.frame(id: 7, payload: "xy", sentAt: 1_000)
        var scanner = SSELatencyScanner()
        try frame.withUnsafeBytes { try scanner.consume($0, receivedAt: 1_500) }
        #expect(scanner.latencies == [500])
        // `<size>\r\n<frame>\r\n`, the size in hexadecimal.
        let text = String(decoding: frame, as: UTF8.self)
        let sizeLine = try #require(text.range(of: "\r\n"))
        let size = try #require(Int(text[..<sizeLine.lowerBound], radix: 16))
        #expect(text.utf8.count == text.utf8.distance(from: text.startIndex, to: sizeLine.upperBound) + size + 2)
        #expect(text[sizeLine.upperBound...].hasPrefix("id: 7\ndata: {"))
    }
}
