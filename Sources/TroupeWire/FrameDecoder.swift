public import NIOCore

/// A NIO decoder that turns a byte stream into ``Frame`` values using ``FrameCodec``.
///
/// Wrap it in a `ByteToMessageHandler` (as the control client does; NIO adapts the two
/// single-step methods below to it), or drive it with a `NIOSingleStepByteToMessageProcessor`
/// inside a handler of one's own (as the mesh does, handing frames on without `NIOAny`).
/// Malformed input is thrown as a ``WireError``; the link should then be closed (after an ERROR
/// frame naming the code, if the protocol state allows). Bytes of an unfinished frame left when the
/// channel closes are reported as `ByteToMessageDecoderError.leftoverDataWhenDone`.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    /// Frames produced by the decoder.
    public typealias InboundOut = Frame

    /// The codec doing the work; its ``FrameCodec/skippedFrameCount`` counts skipped frames.
    public private(set) var codec: FrameCodec

    /// Creates a decoder enforcing `limits`.
    public init(limits: WireLimits = WireLimits()) {
        self.codec = FrameCodec(limits: limits)
    }

    /// Decodes one frame if the buffer holds a whole one.
    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        try codec.decode(from: &buffer)
    }

    /// Decodes the next whole frame; nil once the buffer is empty, an error if an unfinished
    /// frame is all that is left.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        if let frame = try codec.decode(from: &buffer) { return frame }
        guard buffer.readableBytes == 0 else { throw ByteToMessageDecoderError.leftoverDataWhenDone(buffer) }
        return nil
    }
}
