import Logging
import NIOCore
import TroupeMesh
import TroupeWire

/// The per-connection handler: cuts the byte stream into frames, reports the connection's life
/// and its frames to the ``MeshCore``, and turns decoding errors into an ERROR frame and a clean
/// close. It decides nothing else.
///
/// Frames are decoded here, with a `NIOSingleStepByteToMessageProcessor`, instead of by a
/// `ByteToMessageHandler` in front of this handler: passing each frame down the pipeline
/// wrapped it in `NIOAny` (a boxed existential, cast back with a dynamic cast) and ran the
/// handler's decode loop around it — ~2 500 instructions per frame, as much as decoding the
/// frame itself (callgrind, Benchmarks/README.md, fifteenth round).
final class MeshChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: MeshCore
    private let role: LinkRole
    private var linkID: LinkID?
    private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    /// Set while frames are handed to the core, which may close the link — and so run
    /// ``channelInactive(context:)`` — before the call returns.
    private var isDecoding = false
    /// A frame failed to decode: the link is closing and nothing more is read from it.
    private var hasFailed = false

    init(core: MeshCore, role: LinkRole, limits: WireLimits) {
        self.core = core
        self.role = role
        self.decoder = NIOSingleStepByteToMessageProcessor(FrameDecoder(limits: limits))
    }

    func channelActive(context: ChannelHandlerContext) {
        core.linkOpened(channel: context.channel, role: role) { linkID = $0 }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !hasFailed else { return }
        isDecoding = true
        defer { isDecoding = false }
        do {
            try decoder.process(buffer: unwrapInboundIn(data)) { frame in
                if let linkID { core.frameReceived(frame, on: linkID) }
            }
        } catch {
            decodingFailed(error, context: context)
        }
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
        // Whole frames still buffered are delivered; an unfinished one means the peer vanished
        // mid-frame. Not while decoding: the core closed the link itself, from a frame.
        if !isDecoding, !hasFailed {
            do {
                try decoder.finishProcessing(seenEOF: true) { frame in
                    if let linkID { core.frameReceived(frame, on: linkID) }
                }
            } catch {
                decodingFailed(error, context: context)
            }
        }
        if let linkID { core.linkClosed(linkID) }
        linkID = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.logger.debug("link error: \(error)", metadata: ["link": "\(linkID.map { "\($0)" } ?? "-")"])
        context.close(promise: nil)
    }

    private func decodingFailed(_ error: any Error, context: ChannelHandlerContext) {
        hasFailed = true
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
