import Hummingbird
import SpoolStore

/// `GET /health`: `{"status":"ok"}` while the store answers.
struct HealthRoutes: Sendable {
    let store: any EventStore

    func register(on router: Router<BasicRequestContext>) {
        router.get("/health") { _, _ in
            _ = try await store.headPosition()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"# + "\n")))
        }
    }
}
