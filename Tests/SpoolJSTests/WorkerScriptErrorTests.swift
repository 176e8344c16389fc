import SpoolCore
import SpoolJS
import Testing

/// A worker that cannot load says where, in the author's file.
@Suite(.timeLimit(.minutes(3))) struct WorkerScriptErrorTests {
    private func loadError(_ source: String) async -> JSError? {
        do {
            _ = try await WorkerScript.load(source, into: JSSandboxQueue(label: "worker-errors"), timeLimit: .seconds(1))
            return nil
        } catch {
            return error as? JSError
        }
    }

    /// `export default` is rewritten to a longer assignment: columns after it on its line are the author's still.
    @Test func columnsOnTheExportLineAreTheAuthors() async throws {
        let source = "export default { initialState: 0, reduce(s) { return s +; } }"
        let error = try #require(await loadError(source))
        #expect(error.kind == .syntax && error.line == 1, "\(error)")
        let column = try #require(error.column, "\(error)")
        let semicolon = try #require(source.firstIndex(of: ";"))
        #expect(column == source.distance(from: source.startIndex, to: semicolon) + 1, "\(error)")
    }

    /// What the runtime refuses (a default export that is no object) names no line of the runtime's own.
    @Test func aRefusalByTheRuntimeNamesNoLine() async throws {
        let error = try #require(await loadError("export default 42"))
        #expect(error.message.contains("the source must export an object"), "\(error)")
        #expect(error.line == nil && error.column == nil, "\(error)")
    }
}
