import Foundation
import Hummingbird
import SpoolCore
import SpoolStore

/// `POST /hooks/{path}`: anything the outside world sends becomes a `webhook/received` event,
/// so Slack, GitHub or Stripe can call an agent's URL directly.
struct HookRoutes: Sendable {
    let store: any EventStore
    let configuration: SpoolServerConfiguration

    func register(on router: Router<SpoolRequestContext>) {
        router.post("/hooks/**") { request, context in try await receive(request, context: context) }
        router.put("/hooks/**") { request, context in try await receive(request, context: context) }
    }

    func receive(_ request: Request, context: SpoolRequestContext) async throws -> Response {
        let path = try request.streamPath(after: "/hooks")
        var request = request
        let body = try await request.collectBody(limit: configuration.maximumRequestBytes, context: context)
        let delivery = WebhookDelivery(
            method: request.method.rawValue,
            query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
            headers: request.headers.map { ($0.name.canonicalName, $0.value) },
            body: Array(body.readableBytesView))
        let input = try delivery.appendInput()
        let size = input.payloadJSON.utf8.count
        guard size <= configuration.maximumEventBytes else {
            throw SpoolError(.payloadTooLarge, "webhook event of \(size) bytes exceeds the limit of \(configuration.maximumEventBytes) bytes")
        }
        do {
            let result = try await store.append([input], to: path)
            return Response(
                status: result.isReplay ? .ok : .created, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: result.events[0].jsonString + "\n")))
        } catch let error as SpoolError where error.code == .idempotencyConflict {
            // A provider's retry of a delivery already stored, through a proxy that changed some header:
            // the delivery is not new, so acknowledge it instead of making the provider retry for ever.
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"duplicate-delivery"}"# + "\n")))
        }
    }
}

/// One inbound webhook call, turned into a `webhook/received` input. Pure.
struct WebhookDelivery: Sendable {
    var method: String
    var query: [(String, String)]
    var headers: [(String, String)]
    var body: [UInt8]

    /// Parts of header names (lowercased) that mark a credential, never stored: `Authorization`,
    /// `Cookie`, `X-Auth-Key`, `X-Api-Key`, `apikey`, `X-Access-Key`, `X-Credential`, `X-Session-Id`, …
    /// Signatures (`X-Hub-Signature-256`) are kept: they prove a delivery, not who may make one.
    static let credentialNameParts = ["auth", "key", "token", "secret", "password", "credential", "session", "cookie"]

    /// Headers whose value identifies a delivery, so a provider's retry is stored once.
    static let deliveryIDHeaders = ["idempotency-key", "x-github-delivery", "x-request-id"]

    static func isCredential(_ name: String) -> Bool {
        guard !deliveryIDHeaders.contains(name) else { return false }
        return credentialNameParts.contains { name.contains($0) }
    }

    func appendInput() throws(SpoolError) -> AppendInput {
        var headerObject = JSONObject()
        var contentType = ""
        var deliveryID: String?
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower == "content-type" { contentType = value }
            if deliveryID == nil, Self.deliveryIDHeaders.contains(lower), !value.isEmpty { deliveryID = value }
            guard !Self.isCredential(lower) else { continue }
            if case .string(let existing) = headerObject[lower] {
                headerObject[lower] = .string(existing + ", " + value)
            } else {
                headerObject[lower] = .string(value)
            }
        }
        var queryObject = JSONObject()
        for (name, value) in query {
            switch queryObject[name] {
            case nil: queryObject[name] = .string(value)
            case .array(var values)?:
                values.append(.string(value))
                queryObject[name] = .array(values)
            case let first?: queryObject[name] = .array([first, .string(value)])
            }
        }
        var payload: JSONObject = [
            "method": .string(method), "query": .object(queryObject), "headers": .object(headerObject),
            "contentType": .string(contentType),
        ]
        let (bodyValue, encoding) = Self.decodeBody(body, contentType: contentType)
        payload["body"] = bodyValue
        if let encoding { payload["bodyEncoding"] = .string(encoding) }
        let key = deliveryID.map { AppendInput.prefix($0, fitting: AppendInput.maximumIdempotencyKeyLength) }
        return try AppendInput(type: "webhook/received", payload: .object(payload), idempotencyKey: key)
    }

    /// JSON bodies as JSON, form and text bodies as text, anything else as base64.
    static func decodeBody(_ body: [UInt8], contentType: String) -> (JSONValue, String?) {
        if body.isEmpty { return (.null, nil) }
        if contentType.lowercased().contains("json"), let json = try? JSONValue.parse(body) { return (json, nil) }
        if let text = String(validating: body, as: UTF8.self) { return (.string(text), nil) }
        return (.string(Data(body).base64EncodedString()), "base64")
    }
}
