import NIOCore
import Testing
import TroupeWire

/// One crafted byte sequence per decoding error code, checking the code and the offset.
@Suite struct MalformedFrameTests {
    static let ping = RawBytes().u64(1).u64(2).bytes

    @Test(arguments: [
        ([0x00] as [UInt8], 0),
        ([0x54, 0x00], 1),
        ([0x54, 0x52, 0x51], 2),
        (Array("GET / HTTP/1.1\r\n".utf8), 0),
        (rawFrame(type: 0x03, body: ping).enumerated().map { $0.offset == 1 ? 0x72 : $0.element }, 1),
    ])
    func badMagic(input: [UInt8], offset: Int) throws {
        let error = try #require(decodingError(input))
        #expect(error.code == .badMagic)
        #expect(error.offset == offset)
    }

    @Test(arguments: [0x20, 0x00, 0xF0, 0x21] as [UInt8])
    func unsupportedVersion(version: UInt8) throws {
        // The header alone is enough: the version is refused before the body arrives.
        let header = Array(rawFrame(version: version, type: 0x03, body: Self.ping).prefix(10))
        let error = try #require(decodingError(header))
        #expect(error.code == .unsupportedVersion)
        #expect(error.offset == 3)
        #expect(error.frameType == .ping)
    }

    @Test func frameTooLargeFailsOnTheHeaderAlone() throws {
        // 0xFFFFFFFF declared, only the 10 header bytes present: no waiting, no allocation.
        let header = RawBytes().appending([0x54, 0x52, 0x50, 0x10, 0x08, 0x00]).u32(.max).bytes
        let error = try #require(decodingError(header))
        #expect(error.code == .frameTooLarge)
        #expect(error.offset == 6)
        #expect(error.frameType == .event)
    }

    @Test func frameTooLargeHonoursConfiguredLimit() throws {
        let limits = WireLimits(maxBodyLength: 16)
        let error = try #require(
            decodingError(rawFrame(type: 0x0D, body: [0x00, 0x0F] + Array(repeating: 0x61, count: 15)), limits: limits))
        #expect(error.code == .frameTooLarge)
        #expect(error.offset == 6)

        // Exactly at the limit is fine.
        var codec = FrameCodec(limits: limits)
        var buffer = ByteBuffer(bytes: rawFrame(type: 0x03, body: Self.ping))
        #expect(try codec.decode(from: &buffer) == .ping(Heartbeat(sequence: 1, sentAtNanos: 2)))
    }

    @Test func checksumMismatch() throws {
        var bytes = rawFrame(type: 0x03, body: Self.ping)
        bytes[bytes.count - 1] ^= 0x01
        let error = try #require(decodingError(bytes))
        #expect(error.code == .checksumMismatch)
        #expect(error.offset == 26)

        // A corrupted body byte is caught by the same check.
        var corrupted = rawFrame(type: 0x03, body: Self.ping)
        corrupted[12] ^= 0x40
        #expect(decodingError(corrupted)?.code == .checksumMismatch)
    }

    @Test(arguments: [0x7F, 0x00, 0x0F, 0xFF] as [UInt8])
    func unknownFrameTypeAtOurMinorVersion(type: UInt8) throws {
        let error = try #require(decodingError(rawFrame(version: 0x10, type: type, body: [1, 2, 3])))
        #expect(error.code == .unknownFrameType)
        #expect(error.offset == 4)
        #expect(error.frameType == FrameType(rawValue: type))
    }

    @Test(
        arguments: [
            (0x03, Array(ping.prefix(15)), 18),  // Heartbeat.sentAtNanos needs 8 bytes, 7 left
            (0x07, [], 10),  // Unsubscribe.subscriptionID: empty body
            (0x0D, [0x00, 0x05, 0x61, 0x62], 10),  // string declares 5 bytes, 2 present
            (0x09, RawBytes().u16(0xFFFF).u64(1).bytes, 10),  // 65535 ids claimed, room for 1
            (0x05, RawBytes().u16(0xFFFF).appending(Array(repeating: 0, count: 16)).bytes, 10),  // members count lies
            (0x0B, RawBytes().u64(1).string("stats").u32(100).bytes, 25),  // payload declares 100 bytes
        ] as [(UInt8, [UInt8], Int)])
    func truncatedBody(type: UInt8, body: [UInt8], offset: Int) throws {
        let error = try #require(decodingError(rawFrame(type: type, body: body)))
        #expect(error.code == .truncatedBody)
        #expect(error.offset == offset)
        #expect(error.frameType == FrameType(rawValue: type))
    }

    @Test func invalidUTF8() throws {
        let error = try #require(decodingError(rawFrame(type: 0x0D, body: RawBytes().string(raw: [0xC3, 0x28]).bytes)))
        #expect(error.code == .invalidField)
        #expect(error.offset == 10)
        #expect(error.detail == "Goodbye.reason: invalid UTF-8")

        // Deeper in a body: an envelope's type after deliveryID (8), group "g" (3) and eventID (16).
        let event = RawBytes().u64(1).string("g").eventID(.zero).string(raw: [0x4F, 0xFF, 0x50]).bytes
        let nested = try #require(decodingError(rawFrame(type: 0x08, body: event)))
        #expect(nested.code == .invalidField)
        #expect(nested.offset == 37)
        #expect(nested.frameType == .event)
        #expect(nested.detail == "Envelope.type: invalid UTF-8")
    }

    @Test(
        arguments: [
            [0xED, 0xA0, 0x80],  // an encoded surrogate
            [0xC0, 0xAF],  // overlong "/"
            [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0xE2, 0x82],  // cut short
        ] as [[UInt8]])
    func illFormedUTF8IsRejected(content: [UInt8]) {
        #expect(decodingError(rawFrame(type: 0x0D, body: RawBytes().string(raw: content).bytes))?.code == .invalidField)
    }

    @Test func invalidOptionalPresenceByte() throws {
        // deliveryID 8, group 3, eventID 16, type 3, source 3, subject 2, correlationID 16: presence at 10 + 51.
        let body = RawBytes().u64(1).string("g").eventID(.zero).string("T").string("s").string("")
            .eventID(.zero).u8(2).bytes
        let error = try #require(decodingError(rawFrame(type: 0x08, body: body)))
        #expect(error.code == .invalidField)
        #expect(error.offset == 61)
        #expect(error.detail.hasPrefix("Envelope.causationID"))
    }

    @Test func trailingBytes() throws {
        let error = try #require(decodingError(rawFrame(type: 0x03, body: Self.ping + [0xEE])))
        #expect(error.code == .trailingBytes)
        #expect(error.offset == 26)
        #expect(error.frameType == .ping)
    }

    @Test func unknownTypeOfNewerMinorVersionIsSkipped() throws {
        let newer = rawFrame(version: 0x11, type: 0x7F, body: [1, 2, 3, 4, 5])
        let ping = rawFrame(type: 0x03, body: Self.ping)
        var codec = FrameCodec()
        var buffer = ByteBuffer(bytes: newer + newer + ping)
        #expect(try codec.decode(from: &buffer) == .ping(Heartbeat(sequence: 1, sentAtNanos: 2)))
        #expect(codec.skippedFrameCount == 2)
        #expect(buffer.readableBytes == 0)

        // Skipped alone: consumed, counted, no frame.
        var alone = ByteBuffer(bytes: newer)
        #expect(try codec.decode(from: &alone) == nil)
        #expect(alone.readableBytes == 0)
        #expect(codec.skippedFrameCount == 3)

        // A known type at a newer minor version decodes normally.
        var known = ByteBuffer(bytes: rawFrame(version: 0x1F, type: 0x03, body: Self.ping))
        #expect(try codec.decode(from: &known) == .ping(Heartbeat(sequence: 1, sentAtNanos: 2)))

        // The checksum is still checked before skipping.
        var bad = newer
        bad[12] ^= 1
        #expect(decodingError(bad)?.code == .checksumMismatch)
    }

    @Test func incompleteInputReturnsNilAndConsumesNothing() throws {
        let frame = try #require(encoded(SpecExampleTests.expected["EVENT"]!))
        let bytes = Array(frame.readableBytesView)
        var codec = FrameCodec()
        for length in 0..<bytes.count {
            // Put unrelated, already-read bytes in front so the reader index is not 0.
            var buffer = ByteBuffer(bytes: [0xAA, 0xBB] + bytes.prefix(length))
            buffer.moveReaderIndex(forwardBy: 2)
            #expect(try codec.decode(from: &buffer) == nil)
            #expect(buffer.readerIndex == 2 && buffer.readableBytes == length)
        }
        #expect(codec.skippedFrameCount == 0)
    }

    @Test func completeFrameIsConsumedExactly() throws {
        let first = try #require(encoded(.ping(Heartbeat(sequence: 1, sentAtNanos: 2))))
        var buffer = first
        buffer.writeBytes([0x54, 0x52])  // the start of a next frame
        var codec = FrameCodec()
        #expect(try codec.decode(from: &buffer) != nil)
        #expect(Array(buffer.readableBytesView) == [0x54, 0x52])
        #expect(try codec.decode(from: &buffer) == nil)
        #expect(buffer.readableBytes == 2)
    }

    @Test func flagsAreIgnoredOnReceipt() throws {
        var codec = FrameCodec()
        var buffer = ByteBuffer(bytes: rawFrame(type: 0x03, flags: 0xFF, body: Self.ping))
        #expect(try codec.decode(from: &buffer) == .ping(Heartbeat(sequence: 1, sentAtNanos: 2)))
    }
}
