import ServiceLifecycle
import SpoolStore

/// Wakes idle live readers on an interval so each sends a keep-alive comment.
struct KeepAliveService: Service {
    let hub: LiveHub
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                hub.wakeIdleReaders()
            }
        }
    }
}
