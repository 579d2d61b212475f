import NIOCore
import NIOPosix
import TroupeWire

/// A bare TCP client for feeding a node bytes that no well-behaved peer would send.
final class RawTCPClient: Sendable {
    private let channel: any Channel
    private let collector: NIOLoopBound<ByteCollector>

    private init(channel: any Channel, collector: NIOLoopBound<ByteCollector>) {
        self.channel = channel
        self.collector = collector
    }

    static func connect(to address: PeerAddress, on group: any EventLoopGroup) async throws -> RawTCPClient {
        let loop = group.next()
        let collector = try await loop.submit { NIOLoopBound(ByteCollector(), eventLoop: loop) }.get()
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CollectingHandler(collector: collector.value))
                }
            }
            .connect(host: address.host, port: Int(address.port)).get()
        return RawTCPClient(channel: channel, collector: collector)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ frame: Frame) async throws {
        var buffer = ByteBuffer()
        try FrameCodec().encode(frame, into: &buffer)
        try await channel.writeAndFlush(buffer)
    }

    /// Waits until the server closes the connection; returns every byte it sent.
    func bytesUntilClosed() async throws -> ByteBuffer {
        try await channel.closeFuture.get()
        let collector = self.collector
        return try await channel.eventLoop.submit { collector.value.received }.get()
    }

    /// The frames the server sent, decoded.
    func framesUntilClosed() async throws -> [Frame] {
        var bytes = try await bytesUntilClosed()
        var codec = FrameCodec()
        var frames: [Frame] = []
        while let frame = try codec.decode(from: &bytes) { frames.append(frame) }
        return frames
    }

    func close() async {
        try? await channel.close()
    }
}

final class ByteCollector {
    var received = ByteBuffer()
}

private final class CollectingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let collector: ByteCollector

    init(collector: ByteCollector) { self.collector = collector }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        collector.received.writeBuffer(&bytes)
    }
}
