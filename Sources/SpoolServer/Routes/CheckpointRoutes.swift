import Foundation
import Hummingbird
import SpoolCore
import SpoolStore

/// `GET|PUT /checkpoints/{consumer}`: server-side feed positions for remote processors.
struct CheckpointRoutes: Sendable {
    let store: any EventStore & ProcessorStateStore
    let configuration: SpoolServerConfiguration

    func register(on router: Router<SpoolRequestContext>) {
        router.get("/checkpoints/:consumer") { request, context in
            let consumer = try Self.consumer(context)
            return Self.answer(consumer: consumer, position: try await store.checkpoint(for: consumer))
        }
        router.put("/checkpoints/:consumer") { request, context in
            let consumer = try Self.consumer(context)
            var request = request
            let body = try await request.collectBody(limit: 64 * 1024, context: context).parseJSON()
            guard case .object(let object) = body else {
                throw SpoolError(.invalidRequest, #"the body must be {"position": N}"#)
            }
            for key in object.keys where key != "position" {
                throw SpoolError(.invalidRequest, "unknown field '\(key)'; allowed: position")
            }
            guard let position = object["position"]?.intValue, position >= 0, case .int = object["position"] else {
                throw SpoolError(.invalidRequest, "'position' must be a non-negative integer")
            }
            guard !consumer.hasPrefix(ProcessorCheckpoint.prefix) else {
                throw SpoolError(
                    .invalidRequest,
                    "\(consumer) is the checkpoint of the server's own processor; a remote consumer keeps its own under another name")
            }
            let head = try await store.headPosition()
            guard position <= head else {
                throw SpoolError(.invalidRequest, "position \(position) is past the store's head position \(head): events to come would be skipped")
            }
            try await store.saveCheckpoint(Int(position), for: consumer)
            return Self.answer(consumer: consumer, position: Int(position))
        }
    }

    /// Consumer names: 1–128 of `A-Z a-z 0-9 . _ ~ : -`, percent-encoded or not (`remote%3Ax` is
    /// `remote:x`, as `encodeURIComponent` writes it). `processor:` names belong to in-process processors.
    static func consumer(_ context: SpoolRequestContext) throws -> String {
        let raw = context.parameters.get("consumer") ?? ""
        guard let name = Request.percentDecoded(raw) else {
            throw SpoolError(.invalidRequest, "consumer name '\(raw.prefix(140))' is not valid percent-encoding")
        }
        let allowed = name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
        }
        guard !name.isEmpty, name.utf8.count <= 128, allowed else {
            throw SpoolError(.invalidRequest, "consumer names are 1–128 characters of A-Z a-z 0-9 . _ ~ : -")
        }
        return name
    }

    static func answer(consumer: String, position: Int) -> Response {
        let body: JSONValue = ["consumer": .string(consumer), "position": .int(Int64(position))]
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body.jsonString + "\n")))
    }
}
