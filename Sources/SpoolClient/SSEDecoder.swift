/// Incremental Server-Sent Events parser: feed it bytes as they arrive, get
/// complete messages back. Pure, per the WHATWG event-stream rules Spool uses
/// (`id:`, `data:` possibly on several lines, comments starting with `:`).
public struct SSEDecoder: Sendable {
    /// One dispatched message.
    public struct Message: Sendable, Equatable {
        public var id: String?
        public var event: String?
        public var data: String
    }

    private var buffer: [UInt8] = []
    private var id: String?
    private var event: String?
    private var dataLines: [String] = []
    /// The last `id:` seen, for `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?

    public init() {}

    /// Adds bytes and returns every message they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Message] {
        buffer.append(contentsOf: bytes)
        var messages: [Message] = []
        var lineStart = 0
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                let line = String(decoding: buffer[lineStart..<index], as: UTF8.self)
                if byte == UInt8(ascii: "\r"), index + 1 < buffer.count, buffer[index + 1] == UInt8(ascii: "\n") {
                    index += 1
                } else if byte == UInt8(ascii: "\r"), index + 1 == buffer.count {
                    break  // wait to see whether \n follows
                }
                if let message = process(line) { messages.append(message) }
                lineStart = index + 1
            }
            index += 1
        }
        buffer.removeFirst(min(lineStart, buffer.count))
        return messages
    }

    private mutating func process(_ line: String) -> Message? {
        if line.isEmpty {
            defer {
                dataLines = []
                event = nil
            }
            guard !dataLines.isEmpty else { return nil }
            return Message(id: id, event: event, data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            value = line[line.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(line)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "id":
            id = String(value)
            lastEventID = id
        case "event": event = String(value)
        default: break
        }
        return nil
    }
}
