import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SpoolCore

/// A Swift client for a Spool server's HTTP API.
///
/// ```swift
/// let client = SpoolClient(baseURL: "http://127.0.0.1:4437")
/// let event = try await client.append(AppendInput(type: "agent/input-added", payload: ["content": "hi"]),
///                                     to: StreamPath("/agents/ada"))
/// for try await event in client.tail(StreamPath("/agents/ada")) { print(event.type) }
/// ```
public struct SpoolClient: Sendable {
    /// `http://host:port`, no trailing slash.
    public let baseURL: String
    /// Sent as `Authorization: Bearer …` when set.
    public let token: String?
    let http: HTTPClient

    public init(baseURL: String = "http://127.0.0.1:4437", token: String? = nil, httpClient: HTTPClient = .shared) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.http = httpClient
    }

    /// The default per-request timeout for non-streaming calls.
    public static let requestTimeout: TimeAmount = .seconds(60)

    // MARK: Streams

    /// Appends one event; the stored event comes back (the original one on an idempotent replay).
    @discardableResult
    public func append(_ input: AppendInput, to path: StreamPath) async throws -> Event {
        let json = try await send(.POST, "/streams" + path.rawValue, body: input.jsonValue)
        return try Event(json: json)
    }

    /// Appends a batch atomically.
    @discardableResult
    public func append(_ inputs: [AppendInput], to path: StreamPath) async throws -> [Event] {
        let json = try await send(.POST, "/streams" + path.rawValue, body: .array(inputs.map(\.jsonValue)))
        return try (json.arrayValue ?? []).map { (element: JSONValue) throws(SpoolError) in try Event(json: element) }
    }

    /// Reads up to `limit` events after `after`.
    public func read(_ path: StreamPath, after: Int = 0, limit: Int = 1000) async throws -> [Event] {
        let json = try await send(.GET, "/streams\(path.rawValue)?after=\(after)&limit=\(limit)")
        return try (json.arrayValue ?? []).map { (element: JSONValue) throws(SpoolError) in try Event(json: element) }
    }

    /// The offset of a stream's newest event, or `nil` for a stream that never had one.
    public func headOffset(of path: StreamPath) async throws -> Int? {
        let answer: (headers: HTTPHeaders, body: [UInt8])
        do {
            answer = try await exchange(.GET, "/streams\(path.rawValue)?limit=1")
        } catch let error as SpoolError where error.code == .streamNotFound {
            return nil
        }
        guard let head = answer.headers.first(name: "Spool-Head-Offset").flatMap(Int.init) else {
            throw SpoolError(.internalError, "the server's answer has no Spool-Head-Offset header")
        }
        return head
    }

    /// Reads a stream in a server-rendered format (`json`, `ndjson`, `yaml`), as text.
    public func readText(_ path: StreamPath, after: Int = 0, limit: Int = 1000, format: String) async throws -> String {
        let bytes = try await sendRaw(.GET, "/streams\(path.rawValue)?after=\(after)&limit=\(limit)&format=\(format)")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lists streams under `prefix`.
    public func streams(prefix: String = "/") async throws -> [StreamInfo] {
        let encoded = prefix.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? prefix
        let json = try await send(.GET, "/streams?prefix=\(encoded)")
        return try (json.arrayValue ?? []).map { (element: JSONValue) throws(SpoolError) in try StreamInfo(json: element) }
    }

    /// Checks that the server answers `/health`.
    public func health() async throws {
        _ = try await send(.GET, "/health")
    }

    // MARK: Transport

    /// Sends a request and parses the JSON answer; error answers throw their `SpoolError`.
    public func send(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil) async throws -> JSONValue {
        let bytes = try await sendRaw(method, pathAndQuery, body: body)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw SpoolError(.internalError, "the server sent malformed JSON: \(error)")
        }
    }

    func sendRaw(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil) async throws -> [UInt8] {
        try await exchange(method, pathAndQuery, body: body).body
    }

    /// Sends a request and reads the whole answer; error answers throw their `SpoolError`.
    func exchange(_ method: HTTPMethod, _ pathAndQuery: String, body: JSONValue? = nil) async throws -> (headers: HTTPHeaders, body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = method
        addHeaders(to: &request)
        if let body {
            var bytes: [UInt8] = []
            body.write(to: &bytes)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: Self.requestTimeout)
        } catch {
            throw Self.unreachable(baseURL, error)
        }
        let buffer = try await response.body.collect(upTo: 1 << 30)
        let bytes = Array(buffer.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw Self.error(status: response.status, url: request.url, body: bytes)
        }
        return (response.headers, bytes)
    }

    func addHeaders(to request: inout HTTPClientRequest) {
        if let token, !token.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    }
}
