import NIOCore

/// One side of a proxied connection: forwards what its channel reads to the partner channel.
///
/// The two handlers of a pair live on channels of the same event loop, so they call each other
/// directly. Reading stops while the partner cannot take more (its channel is not writable) and
/// resumes when it can: a slow client or broker slows the other side down instead of filling the
/// proxy's memory. The bytes pass through `inspect`, which sees them before they are forwarded and
/// says what to forward (the same bytes, unless broker addresses are being rewritten), or `nil`
/// when nothing may be forwarded any more (the trace could not be written): the connection closes.
final class ProxyGlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: ProxyGlueHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false
    private let inspect: (ByteBuffer) -> [ByteBuffer]?
    private let ended: () -> Void

    private init(inspect: @escaping (ByteBuffer) -> [ByteBuffer]?, ended: @escaping () -> Void) {
        self.inspect = inspect
        self.ended = ended
    }

    /// Two handlers glued to each other: add the first to the client's channel, the second to
    /// the broker's. `ended` runs once per side when its channel goes away.
    static func pair(
        clientBytes: @escaping (ByteBuffer) -> [ByteBuffer]?,
        brokerBytes: @escaping (ByteBuffer) -> [ByteBuffer]?,
        ended: @escaping () -> Void
    ) -> (client: ProxyGlueHandler, broker: ProxyGlueHandler) {
        let client = ProxyGlueHandler(inspect: clientBytes, ended: ended)
        let broker = ProxyGlueHandler(inspect: brokerBytes, ended: ended)
        client.partner = broker
        broker.partner = client
        return (client, broker)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let chunks = inspect(unwrapInboundIn(data)) else {
            // Closing this side closes the partner too (channelInactive).
            context.close(promise: nil)
            return
        }
        for chunk in chunks { partner?.partnerWrite(chunk) }
    }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.partnerFlush() }

    func channelInactive(context: ChannelHandlerContext) {
        ended()
        partner?.partnerClose()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            partner?.partnerCloseOutput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable == true {
            context.read()
        } else {
            readPending = true
        }
    }

    // MARK: - Called by the partner

    private func partnerWrite(_ data: ByteBuffer) { context?.write(wrapOutboundOut(data), promise: nil) }
    private func partnerFlush() { context?.flush() }
    private func partnerCloseOutput() { context?.close(mode: .output, promise: nil) }
    private func partnerClose() { context?.close(promise: nil) }
    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if readPending {
            readPending = false
            context?.read()
        }
    }
}
