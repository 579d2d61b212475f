public import NIOCore

/// A NIO `MessageToByteEncoder` that writes ``Frame`` values using ``FrameCodec``.
///
/// Wrap it in a `MessageToByteHandler`. A frame that cannot be encoded (a field or the body too
/// long) fails its write promise with a ``WireError`` and writes nothing.
public struct FrameEncoder: MessageToByteEncoder, Sendable {
    /// Frames accepted by the encoder.
    public typealias OutboundIn = Frame

    /// The codec doing the work.
    public let codec: FrameCodec

    /// Creates an encoder enforcing `limits`.
    public init(limits: WireLimits = WireLimits()) {
        self.codec = FrameCodec(limits: limits)
    }

    /// Appends the encoding of `data` to `out`.
    public func encode(data: Frame, out: inout ByteBuffer) throws {
        try codec.encode(data, into: &out)
    }
}
