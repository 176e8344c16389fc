import Foundation
import SpoolAgent
import SpoolClient
import SpoolCore
import SpoolServer
import SpoolTesting

/// `spool bench agent`: the harness's own overhead per turn, against an
/// in-process fake provider with zero latency, and many agents streaming at once.
public struct AgentBench: Sendable {
    public var turns = 200
    public var agents = 100
    public var answerTokens = 2000
    /// The pause between streamed tokens: 10 ms is a fast model (100 tokens/s per agent).
    public var tokenDelay: Duration = .milliseconds(10)
    /// The `spool` executable to run the server of the many-agents measurement.
    public var executable = ""

    public init() {}

    public static var quick: AgentBench {
        var bench = AgentBench()
        bench.turns = 20
        bench.agents = 10
        bench.answerTokens = 200
        bench.tokenDelay = .milliseconds(1)
        return bench
    }

    public func run(progress: @Sendable (String) -> Void) async throws -> BenchReport {
        var report = BenchReport()
        progress("\(turns) turns against a zero-latency provider…")
        report.rows += try await overhead().rows
        progress("\(agents) agents streaming \(answerTokens)-token answers at one token per \(tokenDelay)…")
        report.rows += try await manyAgents().rows
        return report
    }

    func overhead() async throws -> BenchReport {
        return try await FakeLLMServer.with(fallback: { _ in .text("ok", chunks: 1) }) { llm in
            return try await TestServer.with(configure: { $0.environment = llm.environment() }) { server in
                let client = SpoolClient(baseURL: server.baseURL)
                let path = try StreamPath("/bench/agent")
                try await client.append(AppendInput(type: "agent/configured", payload: ["debounceMs": 0]), to: path)
                var inbound: [Double] = []
                var turnTimes: [Double] = []
                var events = client.tail(path, after: 1).makeAsyncIterator()
                for turn in 0..<turns {
                    let start = ContinuousClock.now
                    try await client.append(AppendInput(type: "agent/input-added", payload: ["content": .string("turn \(turn)")]), to: path)
                    while let event = try await events.next() {
                        if event.type == "llm/response-completed" { break }
                    }
                    turnTimes.append(Self.nanoseconds(ContinuousClock.now - start))
                    if let sent = llm.requests.last?.receivedAt { inbound.append(Self.nanoseconds(sent - start)) }
                }
                var report = BenchReport()
                let inStats = Percentiles(inbound)
                let turnStats = Percentiles(turnTimes)
                report.add("input appended → LLM request received, p50", BenchReport.milliseconds(inStats.p50), target: "≤ 2 ms")
                report.add("input appended → LLM request received, p99", BenchReport.milliseconds(inStats.p99))
                report.add("whole turn (append → response-completed seen live), p50", BenchReport.milliseconds(turnStats.p50))
                report.add(
                    "response end → response-completed durable, p50 (upper bound: turn − inbound)",
                    BenchReport.milliseconds(max(0, turnStats.p50 - inStats.p50)), target: "≤ 2 ms")
                return report
            }
        }
    }

    /// The server runs as its own process here, so its CPU is measured alone.
    func manyAgents() async throws -> BenchReport {
        let text = (0..<answerTokens).map { "w\($0)" }.joined(separator: " ")
        return try await FakeLLMServer.with(fallback: { [tokenDelay] _ in .text(text, chunks: answerTokens, delay: tokenDelay) }) { llm in
            let server = try BenchServerProcess(executable: executable, environment: llm.environment())
            defer { server.stop() }
            let client = SpoolClient(baseURL: server.baseURL)
            let cpuBefore = ProcessUsage.cpuSeconds(pid: server.pid) ?? 0
            let start = ContinuousClock.now
            for agent in 0..<agents {
                try await client.append(AppendInput(type: "agent/input-added", payload: ["content": "go"]), to: StreamPath("/bench/many/\(agent)"))
            }
            var intact = 0
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                intact = 0
                for agent in 0..<agents {
                    let events = try await client.read(StreamPath("/bench/many/\(agent)"), limit: 10_000)
                    guard events.contains(where: { $0.type == "llm/response-completed" }) else { continue }
                    let deltas = events.filter { $0.type == "llm/output-delta" }.compactMap { $0.payload["text"]?.stringValue }
                    if deltas.joined() == text { intact += 1 }
                }
                if intact == agents { break }
                try await Task.sleep(for: .seconds(1))
            }
            let seconds = BenchRunner.seconds(ContinuousClock.now - start)
            let cpu = (ProcessUsage.cpuSeconds(pid: server.pid) ?? 0) - cpuBefore
            var report = BenchReport()
            report.add("\(agents) agents × \(answerTokens)-token answers: complete, in order", "\(intact) of \(agents)", target: "all")
            report.add("  wall time", String(format: "%.1f s", seconds))
            report.add("  server CPU (its own process) while streaming", String(format: "%.0f%% of a core", cpu / seconds * 100), target: "< 100%")
            return report
        }
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }

}
