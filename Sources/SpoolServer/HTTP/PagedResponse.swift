import Hummingbird
import SpoolCore

/// A finite read written page by page, so a large read never sits in memory whole.
enum PagedResponse {
    static let pageSize = 1000

    static func make(
        encoder: EventEncoder, limit: Int, cursor start: Int, headers extra: HTTPFields,
        readPage: @escaping @Sendable (_ cursor: Int, _ count: Int) async throws -> [Event],
        cursorOf: @escaping @Sendable (Event) -> Int
    ) -> Response {
        var headers: HTTPFields = [.contentType: encoder.format.contentType]
        headers.append(contentsOf: extra)
        return Response(
            status: .ok, headers: headers,
            body: .init { writer in
                var cursor = start
                var remaining = limit
                var isFirst = true
                var pending = encoder.opening
                while remaining > 0 {
                    let count = min(remaining, pageSize)
                    let page = try await readPage(cursor, count)
                    guard let last = page.last else { break }
                    pending.append(contentsOf: encoder.encode(page, isFirst: isFirst))
                    try await writer.write(ByteBuffer(bytes: pending))
                    pending = []
                    isFirst = false
                    cursor = cursorOf(last)
                    remaining -= page.count
                    if page.count < count { break }
                }
                pending.append(contentsOf: encoder.closing)
                if !pending.isEmpty { try await writer.write(ByteBuffer(bytes: pending)) }
                try await writer.finish(nil)
            })
    }
}
