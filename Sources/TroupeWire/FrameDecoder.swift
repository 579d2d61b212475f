public import NIOCore

/// A NIO `ByteToMessageDecoder` that turns a byte stream into ``Frame`` values using ``FrameCodec``.
///
/// Wrap it in a `ByteToMessageHandler`. Malformed input is thrown as a ``WireError``, which the
/// handler fires down the pipeline as an error; the link should then be closed (after an ERROR
/// frame naming the code, if the protocol state allows). Bytes of an unfinished frame left when the
/// channel closes are reported as `ByteToMessageDecoderError.leftoverDataWhenDone`.
public struct FrameDecoder: ByteToMessageDecoder, Sendable {
    /// Frames produced by the decoder.
    public typealias InboundOut = Frame

    /// The codec doing the work; its ``FrameCodec/skippedFrameCount`` counts skipped frames.
    public private(set) var codec: FrameCodec

    /// Creates a decoder enforcing `limits`.
    public init(limits: WireLimits = WireLimits()) {
        self.codec = FrameCodec(limits: limits)
    }

    /// Decodes one frame if the buffer holds a whole one.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try codec.decode(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    /// Decodes every whole frame left; an unfinished one is an error.
    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            throw ByteToMessageDecoderError.leftoverDataWhenDone(buffer)
        }
        return .needMoreData
    }
}
