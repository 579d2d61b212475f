import NIOCore
import Testing
import TroupeWire

/// EVENT frames are written in one reserved pass when their body fits (see
/// `FrameCodec.encode(_:into:)`); these pin its edges against the general path.
@Suite struct EventFrameEncodingTests {
    private func delivery(bodyBytes: Int, group: String = "billing") -> EventDelivery {
        let envelope = Envelope(
            eventID: EventID(high: 7, low: 9), type: "OrderPlaced", source: "order-1", subject: "order-17",
            correlationID: EventID(high: 7, low: 9), causationID: EventID(high: 1, low: 2),
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", occurredAtMicros: 1_700_000_000_000_000,
            attempt: 2, headers: [Envelope.Header(name: "content-type", value: "application/json")],
            body: ByteBuffer(repeating: UInt8(ascii: "x"), count: bodyBytes)
        )
        return EventDelivery(deliveryID: 42, group: group, envelope: envelope)
    }

    @Test func framesAppendedAfterOtherBytesEachCarryTheirOwnChecksum() throws {
        var buffer = ByteBuffer(string: "prefix")
        let first = Frame.event(delivery(bodyBytes: 10))
        let second = Frame.event(delivery(bodyBytes: 300, group: "shipping"))
        try FrameCodec().encode(first, into: &buffer)
        try FrameCodec().encode(.ack(Ack(deliveryIDs: [1, 2])), into: &buffer)
        try FrameCodec().encode(second, into: &buffer)
        #expect(buffer.readString(length: 6) == "prefix")
        var codec = FrameCodec()
        #expect(try codec.decode(from: &buffer) == first)
        #expect(try codec.decode(from: &buffer) == .ack(Ack(deliveryIDs: [1, 2])))
        #expect(try codec.decode(from: &buffer) == second)
        #expect(buffer.readableBytes == 0)
    }

    @Test func aBodyExactlyAtTheLimitIsWrittenAndOneByteMoreIsRefused() throws {
        let probe = try FrameCodec().encode(.event(delivery(bodyBytes: 0)))
        let fixedBodyLength = probe.readableBytes - FrameCodec.headerLength - FrameCodec.trailerLength
        let limits = WireLimits(maxBodyLength: fixedBodyLength + 100)

        let atLimit = Frame.event(delivery(bodyBytes: 100))
        var bytes = try FrameCodec(limits: limits).encode(atLimit)
        #expect(bytes.readableBytes == FrameCodec.headerLength + fixedBodyLength + 100 + FrameCodec.trailerLength)
        var codec = FrameCodec(limits: limits)
        #expect(try codec.decode(from: &bytes) == atLimit)

        var kept = ByteBuffer(string: "kept")
        let error = #expect(throws: WireError.self) {
            try FrameCodec(limits: limits).encode(.event(delivery(bodyBytes: 101)), into: &kept)
        }
        #expect(error?.code == .frameTooLarge && error?.detail.hasPrefix("Envelope.body") == true)
        #expect(kept == ByteBuffer(string: "kept"), "a refused frame leaves nothing behind")
    }

    /// The checksum covers header and body: a flipped bit anywhere is refused (or, in the
    /// length, leaves the frame looking unfinished), never decoded.
    @Test func aFlippedBitInAnyByteIsNeverDecoded() throws {
        let frame = try FrameCodec().encode(.event(delivery(bodyBytes: 20)))
        for index in 0..<frame.readableBytes {
            var bytes = Array(frame.readableBytesView)
            bytes[index] ^= 0x10
            var buffer = ByteBuffer(bytes: bytes)
            var codec = FrameCodec()
            let decoded: Frame?? = try? codec.decode(from: &buffer)
            #expect(decoded == nil || decoded! == nil, "byte \(index)")
        }
    }
}
