import Hummingbird
import SpoolStore

/// `GET /health`: `{"status":"ok"}` while the store answers; 503 `unavailable`
/// naming the problem while its database is unreachable.
struct HealthRoutes: Sendable {
    let store: any EventStore

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/health") { _, _ in
            try await store.checkHealth()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"# + "\n")))
        }
    }
}
