import Hummingbird
import SpoolCore

extension SpoolError: ResponseGenerator {}
extension SpoolError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: code.httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var bytes: [UInt8] = []
        jsonBody.write(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        var headers: HTTPFields = [.contentType: "application/json"]
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if code == .methodNotAllowed, let allow = details["allow"]?.arrayValue {
            headers[.allow] = allow.compactMap(\.stringValue).joined(separator: ", ")
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
