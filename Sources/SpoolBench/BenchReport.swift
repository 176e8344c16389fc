import SpoolClient

/// The results table `spool bench` prints.
public struct BenchReport: Sendable {
    public struct Row: Sendable {
        public var metric: String
        public var value: String
        public var target: String
        /// The server's CPU use during the phase, in percent of one core.
        public var serverCPU = ""
    }

    public var rows: [Row] = []

    public mutating func add(_ metric: String, _ value: String, target: String = "") {
        rows.append(Row(metric: metric, value: value, target: target))
    }

    public var table: String {
        TextTable.render(
            header: ["METRIC", "RESULT", "TARGET", "SERVER CPU"], rows: rows.map { [$0.metric, $0.value, $0.target, $0.serverCPU] })
    }

    static func milliseconds(_ nanoseconds: Double) -> String {
        String(format: "%.2f ms", nanoseconds / 1_000_000)
    }

    static func rate(_ count: Int, seconds: Double) -> String {
        "\(Int((Double(count) / seconds).rounded()).formatted()) events/s"
    }

    static func megabytes(_ bytes: Int?) -> String {
        bytes.map { String(format: "%.1f MB", Double($0) / 1_048_576) } ?? "n/a"
    }
}
