import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTPTypes
import SpoolCore

extension Request {
    /// The request body, refused with 413 beyond `limit` bytes. A client that waits to be told
    /// to send it (`Expect: 100-continue`, RFC 9110 §10.1.1) is told on `context`'s connection
    /// once the declared length is allowed; curl, for one, waits a second for this before sending
    /// a body over 1 MiB. A body refused for its length is never asked for.
    mutating func collectBody(limit: Int, context: SpoolRequestContext) async throws -> ByteBuffer {
        // The first field as it is: the subscript by name joins every value into a new string.
        if let length = headers.first(where: { $0.name == .contentLength }).flatMap({ Int($0.value) }), length > limit {
            throw SpoolError(.payloadTooLarge, "request body of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        if headers.contains(where: { $0.name == .expect && $0.value.lowercased() == "100-continue" }) {
            try await context.channel.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)))
        }
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw SpoolError(.payloadTooLarge, "request body exceeds the limit of \(limit) bytes")
        }
    }
}

extension ByteBuffer {
    /// Parses the readable bytes as one JSON document.
    func parseJSON() throws(SpoolError) -> JSONValue {
        let result = withUnsafeReadableBytes { raw in
            Result { () throws(JSONParseError) in try JSONValue.parse(raw.assumingMemoryBound(to: UInt8.self)) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw SpoolError(.invalidRequest, "malformed JSON: \(error)")
        }
    }
}
