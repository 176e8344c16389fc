/// What a `PostingLoad` sends as each request's body.
enum PostBody: Sendable {
    /// The same bytes every time: each connection renders its request once.
    case same([UInt8])
    /// Bytes made just before each request is sent (for example with the time it was sent).
    case fresh(@Sendable () -> [UInt8])
}
