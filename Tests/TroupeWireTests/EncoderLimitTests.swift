import NIOCore
import Testing
import TroupeWire

/// What the encoder refuses, and that a refusal leaves the output buffer as it was.
@Suite struct EncoderLimitTests {
    func encodingError(_ frame: Frame, limits: WireLimits = WireLimits()) -> WireError? {
        var buffer = ByteBuffer(string: "kept")
        defer {
            #expect(buffer == ByteBuffer(string: "kept"), "a failed encode leaves the buffer unchanged")
        }
        do {
            try FrameCodec(limits: limits).encode(frame, into: &buffer)
            Issue.record("expected an error")
            return nil
        } catch {
            return error
        }
    }

    @Test func stringTooLong() throws {
        let error = try #require(encodingError(.goodbye(Goodbye(reason: String(repeating: "a", count: 65_536)))))
        #expect(error.code == .fieldTooLong)
        #expect(error.offset == 10)
        #expect(error.frameType == .goodbye)
        #expect(error.detail.hasPrefix("Goodbye.reason"))

        // Counted in UTF-8 bytes, not characters: 32768 × "é" is 65536 bytes.
        #expect(encodingError(.goodbye(Goodbye(reason: String(repeating: "é", count: 32_768))))?.code == .fieldTooLong)
        let fits = Frame.goodbye(Goodbye(reason: String(repeating: "a", count: 65_535)))
        expectRoundTrip(fits)
    }

    @Test func arrayTooLong() throws {
        let error = try #require(encodingError(.ack(Ack(deliveryIDs: Array(repeating: 1, count: 65_536)))))
        #expect(error.code == .fieldTooLong)
        #expect(error.offset == 10)

        let headers = Array(repeating: Envelope.Header(name: "", value: ""), count: 65_536)
        let envelope = Envelope(
            eventID: .zero, type: "T", source: "s", correlationID: .zero, occurredAtMicros: 0,
            headers: headers, body: ByteBuffer()
        )
        let headerError = try #require(
            encodingError(.event(EventDelivery(deliveryID: 1, group: "", envelope: envelope))))
        #expect(headerError.code == .fieldTooLong)
        #expect(headerError.detail.hasPrefix("Envelope.headers"))
    }

    @Test func bodyOverTheDefaultLimit() throws {
        let request = ControlRequest(requestID: 1, command: "dump", payload: ByteBuffer(repeating: 0, count: 1_048_576))
        let error = try #require(encodingError(.control(request)))
        #expect(error.code == .frameTooLarge)
        #expect(error.offset == 10 + 8 + 6)  // where ControlRequest.payload starts
        #expect(error.frameType == .control)
    }

    @Test func bodyExactlyAtTheLimit() throws {
        let limits = WireLimits(maxBodyLength: 100)
        // requestID 8 + status 2 + payload length 4 + payload 86 = 100.
        let atLimit = Frame.controlReply(
            ControlReply(requestID: 1, status: 0, payload: ByteBuffer(repeating: 7, count: 86)))
        var buffer = try FrameCodec(limits: limits).encode(atLimit)
        #expect(buffer.readableBytes == 114)
        var codec = FrameCodec(limits: limits)
        #expect(try codec.decode(from: &buffer) == atLimit)

        let overLimit = Frame.controlReply(
            ControlReply(requestID: 1, status: 0, payload: ByteBuffer(repeating: 7, count: 87)))
        #expect(encodingError(overLimit, limits: limits)?.code == .frameTooLarge)
        let bytes = try FrameCodec().encode(overLimit)
        #expect(decodingError(Array(bytes.readableBytesView), limits: limits)?.code == .frameTooLarge)
    }

    @Test func defaultLimitIsOneMebibyte() {
        #expect(WireLimits().maxBodyLength == 1_048_576)
        #expect(FrameCodec().limits == WireLimits())
    }

    @Test func headerFields() throws {
        let bytes = try #require(encoded(.goodbye(Goodbye(reason: "bye"))))
        #expect(Array(bytes.readableBytesView.prefix(10)) == [0x54, 0x52, 0x50, 0x10, 0x0D, 0x00, 0, 0, 0, 5])
    }
}
