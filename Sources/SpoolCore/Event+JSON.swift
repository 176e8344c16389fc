extension Event {
    /// Appends the event's wire JSON (the contract's envelope, in its order) to `output`.
    public func writeJSON(to output: inout [UInt8]) {
        var memo = JSONWriteMemo()
        writeJSON(to: &output, memo: &memo)
    }

    /// Appends the event's wire JSON, reusing what `memo` kept of the event written before:
    /// the events of a page mostly share their stream and often their timestamp.
    public func writeJSON(to output: inout [UInt8], memo: inout JSONWriteMemo) {
        output.append(contentsOf: #"{"streamPath":"#.utf8)
        if memo.path != streamPath.rawValue {
            memo.path = streamPath.rawValue
            memo.pathJSON.removeAll(keepingCapacity: true)
            JSONValue.writeString(streamPath.rawValue, to: &memo.pathJSON)
        }
        output.append(contentsOf: memo.pathJSON)
        output.append(contentsOf: #","offset":"#.utf8)
        output.appendDecimal(offset)
        output.append(contentsOf: #","position":"#.utf8)
        output.appendDecimal(position)
        output.append(contentsOf: #","type":"#.utf8)
        JSONValue.writeString(type, to: &output)
        output.append(contentsOf: #","payload":"#.utf8)
        output.append(contentsOf: payloadJSON.utf8)
        if let metadataJSON {
            output.append(contentsOf: #","metadata":"#.utf8)
            output.append(contentsOf: metadataJSON.utf8)
        }
        if let idempotencyKey {
            output.append(contentsOf: #","idempotencyKey":"#.utf8)
            JSONValue.writeString(idempotencyKey, to: &output)
        }
        output.append(contentsOf: #","createdAt":""#.utf8)
        if memo.createdAt != createdAt {
            memo.createdAt = createdAt
            memo.createdAtText.removeAll(keepingCapacity: true)
            createdAt.writeISO8601(to: &memo.createdAtText)
        }
        output.append(contentsOf: memo.createdAtText)
        output.append(contentsOf: #""}"#.utf8)
    }

    /// The event's wire JSON as a string.
    public var jsonString: String {
        var output: [UInt8] = []
        output.reserveCapacity(160 + payloadJSON.utf8.count)
        writeJSON(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The event as a `JSONValue` in envelope order (the contract's, for YAML): type,
    /// payload, metadata, then offset, position and the rest. This is the order humans read.
    public var envelope: JSONValue {
        var object: JSONObject = ["type": .string(type), "payload": payload]
        if let metadata { object["metadata"] = metadata }
        object["offset"] = .int(Int64(offset))
        object["position"] = .int(Int64(position))
        object["streamPath"] = .string(streamPath.rawValue)
        if let idempotencyKey { object["idempotencyKey"] = .string(idempotencyKey) }
        object["createdAt"] = .string(createdAt.iso8601)
        return .object(object)
    }

    /// Reads an event from its wire JSON.
    public init(json: JSONValue) throws(SpoolError) {
        func field<T>(_ name: String, _ extract: (JSONValue) -> T?) throws(SpoolError) -> T {
            guard let value = json[name], let result = extract(value) else {
                throw SpoolError(.invalidEvent, "event JSON lacks a valid '\(name)'")
            }
            return result
        }
        let pathText = try field("streamPath") { $0.stringValue }
        let createdAtText = try field("createdAt") { $0.stringValue }
        guard let createdAt = Timestamp(iso8601: createdAtText) else {
            throw SpoolError(.invalidEvent, "event JSON has an invalid 'createdAt'")
        }
        self.init(
            streamPath: try StreamPath(pathText),
            offset: Int(try field("offset") { $0.intValue }),
            position: Int(try field("position") { $0.intValue }),
            type: try field("type") { $0.stringValue },
            payloadJSON: (json["payload"] ?? .emptyObject).jsonString,
            metadataJSON: json["metadata"].flatMap { $0 == .null ? nil : $0.jsonString },
            idempotencyKey: json["idempotencyKey"]?.stringValue,
            createdAt: createdAt
        )
    }
}
