import NIOCore

/// The first handler of a plaintext HTTP connection: buffers the first bytes until
/// ``HTTPPreface/classify(_:)`` decides between HTTP/1.1 and HTTP/2, then lets `configure` build
/// the rest of the pipeline, replays the buffered bytes into it and removes itself.
///
/// A connection that has not decided within `decisionTimeout` is closed.
final class PrefaceSniffingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let configure: (any Channel, HTTPPreface.Decision) -> EventLoopFuture<Void>
    private let decisionTimeout: TimeAmount
    private var buffered: ByteBuffer?
    private var decided = false
    private var timeout: Scheduled<Void>?

    /// `configure` is called once, on the channel's event loop, with `.http1` or `.http2`.
    init(decisionTimeout: TimeAmount = .seconds(30), configure: @escaping (any Channel, HTTPPreface.Decision) -> EventLoopFuture<Void>) {
        self.configure = configure
        self.decisionTimeout = decisionTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timeout = context.eventLoop.scheduleTask(in: decisionTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !decided else {
            context.fireChannelRead(wrapInboundOut(incoming))
            return
        }
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeBuffer(&incoming)
        }
        let decision = HTTPPreface.classify(buffered!.readableBytesView)
        guard decision != .needMoreBytes else { return }
        decided = true
        timeout?.cancel()
        let bytes = buffered!
        buffered = nil
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        configure(context.channel, decision).hop(to: context.eventLoop).whenComplete { result in
            let context = loopBoundContext.value
            switch result {
            case .success:
                context.fireChannelRead(self.wrapInboundOut(bytes))
                context.fireChannelReadComplete()
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            case .failure(let error):
                context.fireErrorCaught(error)
                context.close(promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeout?.cancel()
        context.fireChannelInactive()
    }
}
