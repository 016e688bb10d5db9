import NIOCore

/// Closes new connections at once while the fault switchboard refuses connections, so clients
/// see their connection dropped before any response (as when an API server restarts).
final class ConnectionRefusal: ChannelInboundHandler, RemovableChannelHandler {
    // Never unwrapped: the handler only forwards or closes.
    typealias InboundIn = ByteBuffer

    private let faults: FaultSwitchboard
    private var checked = false

    init(faults: FaultSwitchboard) { self.faults = faults }

    func channelActive(context: ChannelHandlerContext) {
        checked = true
        if faults.refusingConnections {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !checked {
            checked = true
            if faults.refusingConnections {
                context.close(promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
    }
}
