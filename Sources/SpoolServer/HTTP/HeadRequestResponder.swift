import Hummingbird

/// Answers `HEAD` wherever `GET` is (RFC 9110 §9.3.2): the request is routed as a `GET`, and
/// its answer goes back with the status and headers but no body. A streamed body (a live read,
/// a long listing) is never started, and no length is claimed for it: the HTTP encoder frames
/// the answer as the `GET`'s would be and writes no body for a `HEAD`.
struct HeadRequestResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == SpoolRequestContext {
    let inner: Inner

    func respond(to request: Request, context: SpoolRequestContext) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var context = context
        context.answersHead = true
        let response = try await inner.respond(to: Request(head: head, body: request.body), context: context)
        return Response(status: response.status, headers: response.headers, body: ResponseBody { writer in try await writer.finish(nil) })
    }
}
