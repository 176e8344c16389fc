import NIOCore
import SpoolCore

/// The body of `POST /streams/{path}`: one input object, or an array of them (a batch).
enum AppendRequestBody {
    static let maximumBatchCount = 10_000

    /// Validates the body and returns its inputs, and whether it was a batch. A body of
    /// the usual shape is read in one pass; anything else is parsed in full, which also
    /// words the errors.
    static func decode(_ body: ByteBuffer, checkSizes: Bool, maximumEventBytes: Int) throws(SpoolError) -> ([AppendInput], Bool) {
        let read = body.withUnsafeReadableBytes { raw in AppendInput.inputs(fromBody: raw.assumingMemoryBound(to: UInt8.self)) }
        if let (inputs, isBatch) = read, inputs.count <= maximumBatchCount,
            !checkSizes || inputs.allSatisfy({ size(of: $0) <= maximumEventBytes })
        {
            return (inputs, isBatch)
        }
        return try decode(body.parseJSON(), checkSizes: checkSizes, maximumEventBytes: maximumEventBytes)
    }

    /// Validates the parsed body and returns its inputs, and whether it was a batch.
    static func decode(_ json: JSONValue, checkSizes: Bool, maximumEventBytes: Int) throws(SpoolError) -> ([AppendInput], Bool) {
        switch json {
        case .object:
            let input = try AppendInput(json: json)
            if checkSizes { try checkSize(input, limit: maximumEventBytes, index: nil) }
            return ([input], false)
        case .array(let items):
            guard !items.isEmpty else { throw SpoolError(.invalidRequest, "a batch must hold at least one event") }
            guard items.count <= maximumBatchCount else {
                throw SpoolError(.invalidRequest, "a batch holds at most \(maximumBatchCount) events")
            }
            var inputs: [AppendInput] = []
            inputs.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                do {
                    let input = try AppendInput(json: item)
                    if checkSizes { try checkSize(input, limit: maximumEventBytes, index: index) }
                    inputs.append(input)
                } catch {
                    var detailed = error
                    detailed.message = "event \(index): \(error.message)"
                    detailed.details["index"] = .int(Int64(index))
                    throw detailed
                }
            }
            return (inputs, true)
        default:
            throw SpoolError(.invalidRequest, "the body must be an event object or an array of them, not \(json.typeName)")
        }
    }

    private static func size(of input: AppendInput) -> Int {
        input.payloadJSON.utf8.count + (input.metadataJSON?.utf8.count ?? 0)
    }

    private static func checkSize(_ input: AppendInput, limit: Int, index: Int?) throws(SpoolError) {
        let size = size(of: input)
        if size > limit {
            throw SpoolError(.payloadTooLarge, "event of \(size) bytes exceeds the limit of \(limit) bytes")
        }
    }
}
