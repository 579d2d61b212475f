import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
import TroupeWire

/// ``FrameDecoder`` and ``FrameEncoder`` in a channel pipeline.
@Suite struct FrameChannelHandlerTests {
    static let frames: [Frame] = [
        .ping(Heartbeat(sequence: 1, sentAtNanos: 2)),
        .pong(Heartbeat(sequence: 1, sentAtNanos: 3)),
        .ack(Ack(deliveryIDs: [])),
        .goodbye(Goodbye(reason: "shutting down ⏻")),
        .control(ControlRequest(requestID: 9, command: "stats", payload: ByteBuffer(string: "{}"))),
        SpecExampleTests.expected["HELLO"]!,
        SpecExampleTests.expected["EVENT"]!,
    ]

    @Test func verifierDripFeedsAndBatches() throws {
        var pairs: [(ByteBuffer, [Frame])] = []
        for frame in Self.frames {
            pairs.append((try FrameCodec().encode(frame), [frame]))
        }
        // Two frames in one buffer, and a skipped newer-version frame before one.
        var two = try FrameCodec().encode(Self.frames[0])
        try FrameCodec().encode(Self.frames[6], into: &two)
        pairs.append((two, [Self.frames[0], Self.frames[6]]))
        let skipped = rawFrame(version: 0x12, type: 0x40, body: [9, 9]) + Array(pairs[2].0.readableBytesView)
        pairs.append((ByteBuffer(bytes: skipped), [Self.frames[2]]))

        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { FrameDecoder() }
    }

    @Test func encoderAndDecoderRoundTripThroughAPipeline() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(FrameDecoder()),
            MessageToByteHandler(FrameEncoder())
        )
        for frame in Self.frames {
            try channel.writeOutbound(frame)
            let bytes = try #require(try channel.readOutbound(as: ByteBuffer.self))
            try channel.writeInbound(bytes)
            #expect(try channel.readInbound(as: Frame.self) == frame)
        }
        #expect(try channel.finish().isClean)
    }

    @Test func decodeErrorIsFiredAsWireError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        #expect {
            try channel.writeInbound(ByteBuffer(bytes: [0x54, 0x52, 0x50, 0x30, 0x03, 0x00, 0, 0, 0, 0]))
        } throws: { error in
            (error as? WireError)?.code == .unsupportedVersion
        }
        _ = try? channel.finish()
    }

    @Test func encodeErrorFailsTheWrite() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(FrameEncoder(limits: WireLimits(maxBodyLength: 8))))
        #expect {
            try channel.writeOutbound(Frame.goodbye(Goodbye(reason: "far too long for eight bytes")))
        } throws: { error in
            (error as? WireError)?.code == .frameTooLarge
        }
        _ = try? channel.finish()
    }

    @Test func partialFrameAtCloseIsLeftover() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        let bytes = try FrameCodec().encode(Self.frames[0])
        try channel.writeInbound(bytes.getSlice(at: 0, length: 12)!)
        #expect(try channel.readInbound(as: Frame.self) == nil)
        #expect {
            try channel.finish()
        } throws: { error in
            if case .leftoverDataWhenDone = error as? ByteToMessageDecoderError { return true }
            return false
        }
    }
}
