import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SpoolCore
import SpoolServer
import SpoolStore
import SpoolTesting
import Testing

/// Runs `body` with an HTTP client talking to a real Spool server on loopback,
/// then shuts both down.
@discardableResult
func withSpoolServer<T: Sendable>(
    configure: (inout SpoolServerConfiguration) -> Void = { _ in },
    store: (any EventStore & ProcessorStateStore & Service)? = nil,
    _ body: @escaping @Sendable (SpoolHTTP) async throws -> T
) async throws -> T {
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
        let result = try await TestServer.with(configure: configure, store: store) { server in
            try await body(SpoolHTTP(client: client, server: server))
        }
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A response read whole.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first(name: name) }

    func json() throws -> JSONValue { try JSONValue.parse(body) }
}

/// Requests against one test server.
struct SpoolHTTP: Sendable {
    let client: HTTPClient
    let server: TestServer
    /// Sent with every request (for example `Authorization`).
    var defaultHeaders: [(String, String)] = []

    /// The largest response the tests read whole.
    static let maximumResponseBytes = 64 << 20

    /// A copy that sends `Authorization: Bearer <token>` with every request.
    func authorized(_ token: String) -> SpoolHTTP {
        var copy = self
        copy.defaultHeaders.append(("Authorization", "Bearer " + token))
        return copy
    }

    func makeRequest(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: server.baseURL + target)
        request.method = method
        for (name, value) in defaultHeaders + headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return request
    }

    /// Sends a request and reads the whole response.
    func send(
        _ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> HTTPResult {
        let request = makeRequest(method, target, body: body, headers: headers)
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: Self.maximumResponseBytes)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    func get(_ target: String, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(.GET, target, headers: headers)
    }

    /// POSTs `json` (any text, not necessarily valid JSON) as `application/json`.
    func post(_ target: String, json: String, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(.POST, target, body: Array(json.utf8), headers: [("Content-Type", "application/json")] + headers)
    }

    /// POSTs raw bytes with a content type.
    func post(_ target: String, bytes: [UInt8], contentType: String, headers: [(String, String)] = []) async throws -> HTTPResult {
        try await send(.POST, target, body: bytes, headers: [("Content-Type", contentType)] + headers)
    }

    /// Appends one event of `type` and expects it stored.
    @discardableResult
    func append(_ path: String, type: String, payload: String = "{}") async throws -> JSONValue {
        let result = try await post("/streams" + path, json: #"{"type":"\#(type)","payload":\#(payload)}"#)
        #expect(result.status == 201, "append to \(path): \(result.text)")
        return try result.json()
    }

    /// The events of a stream as a JSON array, or `nil` when the stream does not exist (404).
    func events(of path: String) async throws -> [JSONValue]? {
        let result = try await get("/streams" + path + "?limit=10000")
        if result.status == 404 { return nil }
        #expect(result.status == 200, "read \(path): \(result.text)")
        return try result.json().arrayValue
    }

    /// Opens a streaming (live) read; its head has arrived when this returns.
    func openStream(_ target: String, headers: [(String, String)] = []) async throws -> StreamReader {
        let request = makeRequest(.GET, target, headers: headers)
        let response = try await client.execute(request, timeout: .seconds(10))
        return StreamReader(response: response)
    }
}

/// Reads a streaming response line by line or SSE frame by frame.
///
/// Use it inside `withTimeLimit`, so a frame that never comes fails the test instead of hanging it.
struct StreamReader {
    let status: Int
    let headers: HTTPHeaders
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []

    init(response: HTTPClientResponse) {
        status = Int(response.status.code)
        headers = response.headers
        iterator = response.body.makeAsyncIterator()
    }

    /// The next line without its `\n`, or `nil` when the response ended.
    mutating func nextLine() async throws -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            guard let chunk = try await iterator.next() else { return nil }
            buffer.append(contentsOf: chunk.readableBytesView)
        }
    }

    /// The next non-empty line (NDJSON keep-alives are empty lines).
    mutating func nextNonEmptyLine() async throws -> String? {
        while let line = try await nextLine() {
            if !line.isEmpty { return line }
        }
        return nil
    }

    /// The lines of the next SSE frame (up to a blank line), or `nil` when the response ended.
    mutating func nextFrame() async throws -> [String]? {
        var lines: [String] = []
        while let line = try await nextLine() {
            if line.isEmpty {
                if lines.isEmpty { continue }
                return lines
            }
            lines.append(line)
        }
        return nil
    }

    /// The next SSE frame that carries data, skipping comment frames (`: connected`, `: keep-alive`).
    mutating func nextEventFrame() async throws -> [String]? {
        while let frame = try await nextFrame() {
            if !frame.allSatisfy({ $0.hasPrefix(":") }) { return frame }
        }
        return nil
    }

    /// The next SSE event, checked to be exactly `id: <offset>` plus `data: <event JSON>`.
    mutating func nextEvent(sourceLocation: SourceLocation = #_sourceLocation) async throws -> (id: String, event: JSONValue) {
        let next = try await nextEventFrame()
        let frame = try #require(next, "the live response ended", sourceLocation: sourceLocation)
        #expect(frame.count == 2, "an event frame is an id line and a data line: \(frame)", sourceLocation: sourceLocation)
        #expect(!frame.contains { $0.hasPrefix("event:") }, sourceLocation: sourceLocation)
        let idLine = try #require(frame.first { $0.hasPrefix("id: ") }, "no id line in \(frame)", sourceLocation: sourceLocation)
        let dataLine = try #require(frame.first { $0.hasPrefix("data: ") }, "no data line in \(frame)", sourceLocation: sourceLocation)
        return (String(idLine.dropFirst(4)), try JSONValue.parse(String(dataLine.dropFirst(6))))
    }
}

/// Polls `condition` until it holds, failing after `limit`. For state the server changes asynchronously.
func eventually(
    _ limit: Duration = .seconds(10), _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    try await withTimeLimit(limit) {
        while try await !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }
}

/// Expects a contract error: the status, `application/json`, and `{"error":{"code":…,"message":…}}`.
/// - Returns: the error object, for checking extra members.
@discardableResult
func expectError(
    _ result: HTTPResult, status: Int, code: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> JSONObject {
    #expect(result.status == status, "body: \(result.text)", sourceLocation: sourceLocation)
    #expect(result.header("Content-Type")?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    let body = try result.json()
    let error = try #require(body["error"]?.objectValue, "no error object in \(result.text)", sourceLocation: sourceLocation)
    #expect(body.objectValue?.keys == ["error"], sourceLocation: sourceLocation)
    #expect(error["code"] == .string(code), "body: \(result.text)", sourceLocation: sourceLocation)
    let message = try #require(error["message"]?.stringValue, sourceLocation: sourceLocation)
    #expect(!message.isEmpty, sourceLocation: sourceLocation)
    return error
}

/// Whether `text` is a UTC ISO 8601 timestamp with milliseconds, such as `2026-11-24T09:12:03.512Z`.
func isTimestampWithMilliseconds(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil
}
