import Hummingbird
import NIOCore

/// The request context of Spool's routes: Hummingbird's basics plus the connection's channel,
/// which live reads write to directly once they have caught up (see `ChannelLiveSink`).
struct SpoolRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel
    /// Whether the request is a `HEAD`, routed as a `GET` (see `HeadRequestResponder`).
    var answersHead = false

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
