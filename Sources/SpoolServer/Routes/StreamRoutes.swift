import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import SpoolCore
import SpoolStore

/// `POST /streams/{path}`, `GET /streams/{path}` (history and live), `GET /streams?prefix=`.
struct StreamRoutes: Sendable {
    let store: any EventStore
    let configuration: SpoolServerConfiguration
    let liveResponder: LiveResponder

    static let headOffsetHeader = HTTPField.Name("Spool-Head-Offset")!
    static let lastEventIDHeader = HTTPField.Name("Last-Event-ID")!

    func register(on router: Router<SpoolRequestContext>) {
        router.post("/streams/**") { request, context in try await append(request, context: context) }
        router.get("/streams/**") { request, context in try await read(request, channel: context.channel) }
        router.get("/streams") { request, _ in try await list(request) }
    }

    // MARK: Append

    func append(_ request: Request, context: SpoolRequestContext) async throws -> Response {
        let path = try request.streamPath(after: "/streams")
        var request = request
        let body = try await request.collectBody(limit: configuration.maximumRequestBytes, context: context)
        let (inputs, isBatch) = try AppendRequestBody.decode(
            body, checkSizes: body.readableBytes > configuration.maximumEventBytes,
            maximumEventBytes: configuration.maximumEventBytes)
        let result = try await store.append(inputs, to: path)
        var output: [UInt8]
        if isBatch {
            // A batch's events share their stream and timestamp: the encoder writes those once.
            let encoder = EventEncoder(format: .json, sseID: .offset)
            output = encoder.opening + encoder.encode(result.events, isFirst: true) + encoder.closing
        } else {
            output = []
            result.events[0].writeJSON(to: &output)
            output.append(UInt8(ascii: "\n"))
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        if result.storedCount == result.events.count, let last = result.events.last {
            headers[Self.headOffsetHeader] = String(last.offset)
        } else if let head = try await store.headOffset(of: path) {
            // A replay answers with the events stored before; the stream may have grown since.
            headers[Self.headOffsetHeader] = String(head)
        }
        return Response(
            status: result.isReplay ? .ok : .created, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output)))
    }

    // MARK: Read

    func read(_ request: Request, channel: any Channel) async throws -> Response {
        let path = try request.streamPath(after: "/streams")
        let format = try ReadFormat(request: request)
        let live = try request.booleanQuery("live") || format == .sse
        var after = try request.integerQuery("after", default: 0)
        if let lastEventID = request.headers[Self.lastEventIDHeader] {
            guard let resumeAfter = Int(lastEventID), resumeAfter >= 0 else {
                throw SpoolError(.invalidRequest, "Last-Event-ID must be an offset, got '\(lastEventID.prefix(40))'")
            }
            after = resumeAfter
        }
        let limit = try request.integerQuery("limit", default: 1000, range: 1...10_000)
        let head = try await store.headOffset(of: path)
        if live {
            let tail = store.tail(path, after: after)
            return liveResponder.response(
                to: request, on: channel, tail: tail, encoder: EventEncoder(format: format == .json ? .sse : format, sseID: .offset),
                headers: [Self.headOffsetHeader: String(head ?? 0)])
        }
        guard let head else {
            throw SpoolError(.streamNotFound, "stream \(path) has no events", details: ["headOffset": 0])
        }
        let store = self.store
        return try await PagedResponse.make(
            encoder: EventEncoder(format: format, sseID: .offset), limit: limit, cursor: after,
            headers: [Self.headOffsetHeader: String(head)]
        ) { cursor, count in
            try await store.read(path, after: cursor, limit: count)
        } cursorOf: { $0.offset }
    }

    // MARK: List

    /// Lists the streams under `prefix`, read and written a page at a time, so a store
    /// with millions of streams never holds its listing in memory whole.
    func list(_ request: Request) async throws -> Response {
        let prefix = try StreamPrefix(request.uri.queryParameters.get("prefix") ?? "/")
        let format = try ReadFormat(request: request)
        let store = self.store
        return try await PagedResponse.make(
            contentType: format == .sse ? ReadFormat.ndjson.contentType : format.contentType,
            opening: format == .json ? [UInt8(ascii: "[")] : [], closing: format == .json ? Array("]\n".utf8) : [],
            limit: .max, after: StreamPath?.none
        ) { after, count in
            try await store.streams(prefix: prefix, after: after, limit: count)
        } cursorOf: { $0.path } encode: { page, isFirst in
            Self.encode(page, as: format, isFirst: isFirst)
        }
    }

    /// A page of a listing: YAML documents, NDJSON lines, or elements of a JSON array.
    static func encode(_ streams: [StreamInfo], as format: ReadFormat, isFirst: Bool) -> [UInt8] {
        var output: [UInt8] = []
        for (index, stream) in streams.enumerated() {
            switch format {
            case .yaml:
                output.append(contentsOf: ("---\n" + stream.jsonValue.yamlString).utf8)
            case .ndjson, .sse:
                stream.jsonValue.write(to: &output)
                output.append(UInt8(ascii: "\n"))
            case .json:
                if !(isFirst && index == 0) { output.append(UInt8(ascii: ",")) }
                stream.jsonValue.write(to: &output)
            }
        }
        return output
    }
}
