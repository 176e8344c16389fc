import SpoolCore

/// The `spool ls` table. Pure.
public enum StreamTable {
    public static func render(_ streams: [StreamInfo]) -> String {
        let rows = streams.map { [$0.path.rawValue, String($0.headOffset), $0.updatedAt.iso8601, $0.paused ? "paused" : ""] }
        return TextTable.render(header: ["PATH", "HEAD", "UPDATED", "STATE"], rows: rows, rightAligned: [1])
    }
}

/// Fixed-width columns for terminal output. Pure.
public enum TextTable {
    public static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingTrailingSpaces() + "\n"
        }
        return ([header] + rows).map(line).joined()
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
