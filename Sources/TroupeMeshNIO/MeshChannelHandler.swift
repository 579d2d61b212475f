import Logging
import NIOCore
import TroupeMesh
import TroupeWire

/// The per-connection handler: reports the connection's life and frames to the ``MeshCore`` and
/// turns decoding errors into an ERROR frame and a clean close. It decides nothing else.
final class MeshChannelHandler: ChannelInboundHandler {
    typealias InboundIn = Frame

    private let core: MeshCore
    private let role: LinkRole
    private var linkID: LinkID?

    init(core: MeshCore, role: LinkRole) {
        self.core = core
        self.role = role
    }

    func channelActive(context: ChannelHandlerContext) {
        core.linkOpened(channel: context.channel, role: role) { linkID = $0 }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let linkID else { return }
        core.frameReceived(unwrapInboundIn(data), on: linkID)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        core.flushPendingWrites()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let linkID { core.writabilityChanged(on: linkID, isWritable: context.channel.isWritable) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let linkID { core.linkClosed(linkID) }
        linkID = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let wireError = error as? WireError {
            core.protocolErrorOccurred(wireError, on: linkID, channel: context.channel)
        } else if error is ByteToMessageDecoderError {
            // The peer vanished in the middle of a frame: nothing to answer, just let go.
            core.logger.debug("peer closed mid-frame", metadata: ["link": "\(linkID.map { "\($0)" } ?? "-")"])
            context.close(promise: nil)
        } else {
            core.logger.debug("link error: \(error)", metadata: ["link": "\(linkID.map { "\($0)" } ?? "-")"])
            context.close(promise: nil)
        }
    }
}
