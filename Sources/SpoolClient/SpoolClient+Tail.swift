import AsyncHTTPClient
import NIOCore
import SpoolCore

extension SpoolClient {
    /// Follows a stream live over SSE: events after `after`, then each new one.
    ///
    /// Reconnects with `Last-Event-ID` when the connection drops, so no event
    /// is missed or repeated. Reading is pulled from the network, so a slow
    /// consumer slows the server's sending instead of growing a buffer.
    public func tail(_ path: StreamPath, after: Int = 0) -> LiveEvents {
        LiveEvents(client: self, pathAndQuery: "/streams" + path.rawValue + "?live=true", after: after, cursor: .offset)
    }

    /// Follows every stream under `prefix` live, in position order.
    public func feed(prefix: String = "/", after: Int = 0) -> LiveEvents {
        let encoded = prefix.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? prefix
        return LiveEvents(client: self, pathAndQuery: "/feed?prefix=\(encoded)&live=true", after: after, cursor: .position)
    }
}

/// Events of a live read, reconnecting as needed. Iterate with `for try await`.
public struct LiveEvents: AsyncSequence, Sendable {
    public typealias Element = Event

    /// Which number of an event resumes the read.
    public enum Cursor: Sendable { case offset, position }

    let client: SpoolClient
    let pathAndQuery: String
    let after: Int
    let cursor: Cursor

    public func makeAsyncIterator() -> Iterator {
        Iterator(events: self, cursor: after)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let events: LiveEvents
        /// The offset (or position) of the last event returned.
        public private(set) var cursor: Int
        var body: HTTPClientResponse.Body.AsyncIterator?
        var decoder = SSEDecoder()
        var pending: [Event] = []
        var failures = 0

        init(events: LiveEvents, cursor: Int) {
            self.events = events
            self.cursor = cursor
        }

        public mutating func next() async throws -> Event? {
            while true {
                try Task.checkCancellation()
                if !pending.isEmpty {
                    let event = pending.removeFirst()
                    cursor = events.cursor == .offset ? event.offset : event.position
                    return event
                }
                do {
                    if body == nil { body = try await connect() }
                    guard let chunk = try await body?.next() else {
                        body = nil
                        continue
                    }
                    failures = 0
                    for message in decoder.feed(chunk.readableBytesView) {
                        pending.append(try Event(json: try JSONValue.parse(message.data)))
                    }
                } catch let error as SpoolError where error.code != .unavailable && error.code != .internalError {
                    throw error
                } catch {
                    try Task.checkCancellation()
                    body = nil
                    decoder = SSEDecoder()
                    failures += 1
                    // Back off 100 ms, 200 ms, … up to 5 s before reconnecting.
                    try await Task.sleep(for: .milliseconds(Swift.min(5000, 100 << Swift.min(failures, 6))))
                }
            }
        }

        private func connect() async throws -> HTTPClientResponse.Body.AsyncIterator {
            var request = HTTPClientRequest(url: events.client.baseURL + events.pathAndQuery)
            events.client.addHeaders(to: &request)
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.headers.add(name: "Last-Event-ID", value: String(cursor))
            let response: HTTPClientResponse
            do {
                response = try await events.client.http.execute(request, timeout: .hours(24 * 365))
            } catch {
                throw SpoolClient.unreachable(events.client.baseURL, error)
            }
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw SpoolClient.error(status: response.status, url: request.url, body: Array(body.readableBytesView))
            }
            return response.body.makeAsyncIterator()
        }
    }
}
