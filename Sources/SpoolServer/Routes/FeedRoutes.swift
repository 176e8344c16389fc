import HTTPTypes
import Hummingbird
import NIOCore
import SpoolCore
import SpoolStore

/// `GET /feed?prefix=…&after=POSITION[&live=true]`: every stream under a prefix in
/// position order — what remote processors follow and resume from.
struct FeedRoutes: Sendable {
    let store: any EventStore
    let liveResponder: LiveResponder

    static let headPositionHeader = HTTPField.Name("Spool-Head-Position")!

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/feed") { request, context in try await feed(request, channel: context.channel) }
    }

    func feed(_ request: Request, channel: any Channel) async throws -> Response {
        let prefix = try StreamPrefix(request.uri.queryParameters.get("prefix") ?? "/")
        let format = try ReadFormat(request: request)
        let live = try request.booleanQuery("live") || format == .sse
        var after = try request.integerQuery("after", default: 0)
        if let lastEventID = request.headers[StreamRoutes.lastEventIDHeader] {
            guard let resumeAfter = Int(lastEventID), resumeAfter >= 0 else {
                throw SpoolError(.invalidRequest, "Last-Event-ID must be a position, got '\(lastEventID.prefix(40))'")
            }
            after = resumeAfter
        }
        let limit = try request.integerQuery("limit", default: 1000, range: 1...10_000)
        let head = try await store.headPosition()
        let headers: HTTPFields = [Self.headPositionHeader: String(head)]
        if live {
            return liveResponder.response(
                to: request, on: channel, tail: store.tailFeed(prefix: prefix, after: after),
                encoder: EventEncoder(format: format == .json ? .sse : format, sseID: .position), headers: headers)
        }
        let store = self.store
        return try await PagedResponse.make(
            encoder: EventEncoder(format: format, sseID: .position), limit: limit, cursor: after, headers: headers
        ) { cursor, count in
            try await store.readFeed(prefix: prefix, after: cursor, limit: count)
        } cursorOf: { $0.position }
    }
}
