import Hummingbird
import NIOCore

/// The request context of Spool's routes: Hummingbird's basics plus the connection's channel,
/// which live reads write to directly once they have caught up (see `ChannelLiveSink`).
struct SpoolRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
