import SpoolCore

/// What a commit tells every node with `NOTIFY spool_events`: the head position
/// after it and, when they fit in a notification, the events it stored, so
/// another node publishes them without reading them back.
///
/// The payload is `<head>` alone, or `<head> <events>`. The events part holds,
/// per event in position order (the last one is at `head`), a header line
/// `offset createdAt pathBytes typeBytes payloadBytes metadataBytes keyBytes`
/// (`-1` for an absent metadata or key) followed by those fields' UTF-8 bytes,
/// unescaped. Lengths, not separators, delimit the fields, so any text passes.
struct CommitNotice {
    /// PostgreSQL refuses notification payloads of 8000 bytes or more; the head and a space come first.
    static let maximumEventsBytes = 7900

    let head: Int
    private let eventsText: Substring.UTF8View?

    /// Reads a notification payload; `nil` when it is not one (a follower then reads the feed).
    init?(payload: String) {
        let utf8 = payload.utf8
        let space = utf8.firstIndex(of: UInt8(ascii: " "))
        guard let digits = String(utf8[..<(space ?? utf8.endIndex)]), let head = Int(digits) else { return nil }
        self.head = head
        eventsText = space.map { utf8[utf8.index(after: $0)...] }
    }

    /// The events part of a notice for a commit that stores `events`, in position order;
    /// empty when they do not fit in a notification.
    static func encode(_ events: [Event]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(maximumEventsBytes, events.count * 256))
        for event in events {
            let fields: [String?] = [event.streamPath.rawValue, event.type, event.payloadJSON, event.metadataJSON, event.idempotencyKey]
            let numbers = [event.offset, Int(event.createdAt.millisecondsSinceEpoch)] + fields.map { $0.map(\.utf8.count) ?? -1 }
            bytes.append(contentsOf: numbers.map(String.init).joined(separator: " ").utf8)
            bytes.append(UInt8(ascii: "\n"))
            for case let field? in fields { bytes.append(contentsOf: field.utf8) }
            guard bytes.count <= maximumEventsBytes else { return "" }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The commit's events with their positions, or `nil` when the notice carries none
    /// (or they cannot be read).
    var events: [Event]? {
        guard let text = eventsText, !text.isEmpty else { return nil }
        var reader = Reader(text: text)
        var events: [Event] = []
        while !reader.isAtEnd {
            guard let event = reader.event() else { return nil }
            events.append(event)
        }
        for index in events.indices { events[index].position = head - events.count + 1 + index }
        return events
    }

    private struct Reader {
        let text: Substring.UTF8View
        var index: Substring.UTF8View.Index

        init(text: Substring.UTF8View) {
            self.text = text
            index = text.startIndex
        }

        var isAtEnd: Bool { index == text.endIndex }

        /// The next event (position 0, set by the caller), or `nil` if the text is malformed.
        mutating func event() -> Event? {
            guard let newline = text[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let numbers = (String(text[index..<newline]) ?? "").split(separator: " ").compactMap { Int($0) }
            index = text.index(after: newline)
            guard numbers.count == 7, numbers[2] >= 0, numbers[3] >= 0, numbers[4] >= 0 else { return nil }
            guard let path = field(numbers[2]), let streamPath = try? StreamPath(path), let type = field(numbers[3]),
                let payload = field(numbers[4])
            else { return nil }
            let metadata = numbers[5] < 0 ? String?.none : field(numbers[5])
            let key = numbers[6] < 0 ? String?.none : field(numbers[6])
            if numbers[5] >= 0, metadata == nil { return nil }
            if numbers[6] >= 0, key == nil { return nil }
            return Event(
                streamPath: streamPath, offset: numbers[0], position: 0, type: type, payloadJSON: payload,
                metadataJSON: metadata, idempotencyKey: key, createdAt: Timestamp(millisecondsSinceEpoch: Int64(numbers[1])))
        }

        /// The next `count` bytes as text.
        mutating func field(_ count: Int) -> String? {
            guard let end = text.index(index, offsetBy: count, limitedBy: text.endIndex) else { return nil }
            defer { index = end }
            return String(text[index..<end])  // nil unless on character boundaries
        }
    }
}
