import Hummingbird
import NIOCore

/// The request context: Hummingbird's basic context plus the connection, so a TLS client
/// certificate can name the caller.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
