import Hummingbird
import SpoolCore

/// A finite read written page by page, so a large read never sits in memory whole.
///
/// The first page is read before answering, so a store that cannot answer gives an
/// error status rather than a `200` whose body breaks off. Each later page is read
/// while the one before it is encoded and written: two pages in memory at most.
enum PagedResponse {
    static let pageSize = 1000

    /// Up to `limit` elements after `start`, each page read after the last element of the one before.
    /// - Parameters:
    ///   - opening: bytes before the first element (the `[` of a JSON array); `closing` after the last.
    ///   - encode: a page's bytes; `isFirst` tells whether anything was written before it.
    static func make<Element: Sendable, Cursor: Sendable>(
        contentType: String, headers extra: HTTPFields = [:], opening: [UInt8] = [], closing: [UInt8] = [],
        limit: Int, after start: Cursor,
        readPage: @escaping @Sendable (_ after: Cursor, _ count: Int) async throws -> [Element],
        cursorOf: @escaping @Sendable (Element) -> Cursor,
        encode: @escaping @Sendable (_ page: [Element], _ isFirst: Bool) -> [UInt8]
    ) async throws -> Response {
        let firstCount = min(limit, pageSize)
        let first = try await readPage(start, firstCount)
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(
            status: .ok, headers: headers,
            body: .init { writer in
                var page = first
                var requested = firstCount
                var remaining = limit
                var isFirst = true
                var pending = opening
                while let last = page.last {
                    remaining -= page.count
                    // The next page is read (on the store's reader) while this one is encoded and written.
                    var next: Task<[Element], any Error>?
                    if remaining > 0, page.count == requested {
                        let (cursor, count) = (cursorOf(last), min(remaining, pageSize))
                        next = Task { try await readPage(cursor, count) }
                        requested = count
                    }
                    defer { next?.cancel() }
                    pending.append(contentsOf: encode(page, isFirst))
                    try await writer.write(ByteBuffer(bytes: pending))
                    pending = []
                    isFirst = false
                    guard let next else { break }
                    page = try await next.value
                }
                pending.append(contentsOf: closing)
                if !pending.isEmpty { try await writer.write(ByteBuffer(bytes: pending)) }
                try await writer.finish(nil)
            })
    }

    /// Up to `limit` events after `cursor`, encoded by `encoder`.
    static func make(
        encoder: EventEncoder, limit: Int, cursor start: Int, headers extra: HTTPFields,
        readPage: @escaping @Sendable (_ cursor: Int, _ count: Int) async throws -> [Event],
        cursorOf: @escaping @Sendable (Event) -> Int
    ) async throws -> Response {
        try await make(
            contentType: encoder.format.contentType, headers: extra, opening: encoder.opening, closing: encoder.closing,
            limit: limit, after: start, readPage: readPage, cursorOf: cursorOf, encode: encoder.encode)
    }
}
