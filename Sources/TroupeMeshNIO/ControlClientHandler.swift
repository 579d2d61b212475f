import NIOCore
import TroupeWire

/// The channel handler behind ``ControlClient``: handshake, heartbeats answered, replies matched
/// to requests by id.
final class ControlClientHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    let welcome: EventLoopPromise<NodeIdentity>
    private let identity: NodeIdentity
    private var codec: FrameCodec
    private var context: ChannelHandlerContext?
    private var pending: [UInt64: EventLoopPromise<ControlReply>] = [:]
    private var nextRequestID: UInt64 = 1
    private var isWelcomed = false

    init(identity: NodeIdentity, limits: WireLimits, eventLoop: any EventLoop) {
        self.identity = identity
        self.codec = FrameCodec(limits: limits)
        self.welcome = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        write(.hello(Hello(identity: identity)))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .welcome(let welcome):
            isWelcomed = true
            self.welcome.succeed(welcome.identity)
        case .ping(let heartbeat):
            write(.pong(heartbeat))
        case .controlReply(let reply):
            pending.removeValue(forKey: reply.requestID)?.succeed(reply)
        case .error(let error):
            failAll("node refused: \(error.message)")
            context.close(promise: nil)
        case .goodbye(let goodbye):
            failAll("node said goodbye: \(goodbye.reason)")
            context.close(promise: nil)
        default:
            break  // MEMBERS, SUBSCRIBE and the like are not for a client
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll("connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll("\(error)")
        context.close(promise: nil)
    }

    func send(command: String, payload: ByteBuffer) -> EventLoopFuture<ControlReply> {
        guard let context else { return welcome.futureResult.eventLoop.makeFailedFuture(ControlClientError(message: "not connected")) }
        let promise = context.eventLoop.makePromise(of: ControlReply.self)
        let requestID = nextRequestID
        nextRequestID += 1
        pending[requestID] = promise
        write(.control(ControlRequest(requestID: requestID, command: command, payload: payload)))
        return promise.futureResult
    }

    func sayGoodbye() {
        write(.goodbye(Goodbye(reason: "client done")))
    }

    private func write(_ frame: Frame) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 128)
        do {
            try codec.encode(frame, into: &buffer)
            context.writeAndFlush(NIOAny(buffer), promise: nil)
        } catch {
            failAll("cannot encode \(frame.type): \(error)")
        }
    }

    private func failAll(_ message: String) {
        if !isWelcomed {
            isWelcomed = true
            welcome.fail(ControlClientError(message: message))
        }
        let waiting = pending
        pending.removeAll()
        for promise in waiting.values { promise.fail(ControlClientError(message: message)) }
    }
}
