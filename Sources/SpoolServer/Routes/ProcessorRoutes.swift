import Hummingbird
import SpoolCore
import SpoolProcessors

/// `GET /state/{path}?processor=NAME[&at=OFFSET]` (time travel) and `GET /processors`.
struct ProcessorRoutes: Sendable {
    let host: ProcessorHost

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/state/**") { request, _ in try await state(request) }
        router.get("/processors") { request, _ in try await processors(request) }
    }

    func state(_ request: Request) async throws -> Response {
        let path = try request.streamPath(after: "/state")
        guard let processor = request.uri.queryParameters.get("processor"), !processor.isEmpty else {
            throw SpoolError(.invalidRequest, "name the processor: ?processor=NAME (see GET /processors)")
        }
        let at: Int? = request.uri.queryParameters.get("at") == nil ? nil : try request.integerQuery("at", default: 0)
        let (offset, state) = try await host.state(processor: processor, stream: path, at: at)
        let answer: JSONValue = [
            "processor": .string(processor), "streamPath": .string(path.rawValue), "offset": .int(Int64(offset)),
            "state": state,
        ]
        return Self.render(answer, request: request)
    }

    func processors(_ request: Request) async throws -> Response {
        let statuses = try await host.statuses()
        return Self.render(.array(statuses.map(\.jsonValue)), request: request)
    }

    /// JSON, or YAML when the client asks for it.
    static func render(_ value: JSONValue, request: Request) -> Response {
        let yaml = (try? ReadFormat(request: request)) == .yaml
        let text = yaml ? value.yamlString : value.jsonString + "\n"
        return Response(
            status: .ok, headers: [.contentType: yaml ? ReadFormat.yaml.contentType : "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
