import Foundation

/// Stops a child server when the bench itself is told to stop (Ctrl-C, SIGTERM from `timeout`):
/// without it the child outlived the bench, listening on its port over its temporary data.
final class StopChildOnSignals: @unchecked Sendable {
    // Dispatch's sources are thread-safe; they are kept only to stay alive.
    private let sources: [any DispatchSourceSignal]

    init(pid: Int32, dataDirectory: String) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                kill(pid, SIGTERM)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                try? FileManager.default.removeItem(atPath: dataDirectory)
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Gives the signals back to their default handling.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
