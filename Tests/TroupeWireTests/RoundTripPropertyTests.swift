import NIOCore
import PropertyBased
import Testing
import TroupeWire

/// Encode → decode gives the same frame, for every frame type, whole or drip-fed.
@Suite struct RoundTripPropertyTests {
    @Test func hello() async { await propertyCheck(count: 150, input: WireGen.hello) { expectRoundTrip($0) } }
    @Test func welcome() async { await propertyCheck(count: 150, input: WireGen.welcome) { expectRoundTrip($0) } }
    @Test func ping() async { await propertyCheck(count: 150, input: WireGen.heartbeat) { expectRoundTrip(.ping($0)) } }
    @Test func pong() async { await propertyCheck(count: 150, input: WireGen.heartbeat) { expectRoundTrip(.pong($0)) } }
    @Test func members() async { await propertyCheck(count: 100, input: WireGen.members) { expectRoundTrip($0) } }
    @Test func subscribe() async { await propertyCheck(count: 150, input: WireGen.subscribe) { expectRoundTrip($0) } }
    @Test func unsubscribe() async {
        await propertyCheck(count: 150, input: WireGen.unsubscribe) { expectRoundTrip($0) }
    }
    @Test func event() async { await propertyCheck(count: 100, input: WireGen.event) { expectRoundTrip($0) } }
    @Test func ack() async { await propertyCheck(count: 100, input: WireGen.ack) { expectRoundTrip($0) } }
    @Test func nack() async { await propertyCheck(count: 150, input: WireGen.nack) { expectRoundTrip($0) } }
    @Test func control() async { await propertyCheck(count: 100, input: WireGen.control) { expectRoundTrip($0) } }
    @Test func controlReply() async {
        await propertyCheck(count: 100, input: WireGen.controlReply) { expectRoundTrip($0) }
    }
    @Test func goodbye() async { await propertyCheck(count: 150, input: WireGen.goodbye) { expectRoundTrip($0) } }
    @Test func error() async { await propertyCheck(count: 150, input: WireGen.error) { expectRoundTrip($0) } }

    /// The envelope body is a slice of the received buffer, not a copy.
    @Test func envelopeBodyIsNotCopied() throws {
        let frame = Frame.event(
            EventDelivery(
                deliveryID: 1, group: "g",
                envelope: Envelope(
                    eventID: .zero, type: "T", source: "s", correlationID: .zero, occurredAtMicros: 0,
                    body: ByteBuffer(repeating: 0xAB, count: 1000)
                )
            )
        )
        var input = try FrameCodec().encode(frame)
        let frameLength = input.readableBytes
        let inputBase = input.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) }
        var codec = FrameCodec()
        guard case .event(let delivery) = try codec.decode(from: &input) else {
            Issue.record("expected an EVENT")
            return
        }
        let bodyBase = delivery.envelope.body.withUnsafeReadableBytes { Int(bitPattern: $0.baseAddress) }
        #expect(bodyBase - inputBase == frameLength - FrameCodec.trailerLength - 1000)
    }
}

/// Encodes, decodes whole and drip-fed, and re-encodes `frame`, expecting identity throughout.
func expectRoundTrip(_ frame: Frame, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let bytes = try FrameCodec().encode(frame)
        #expect(bytes.readableBytes == FrameCodec.headerLength + Int(bytes.getInteger(at: 6, as: UInt32.self)!) + 4)

        var whole = bytes
        var codec = FrameCodec()
        let decoded = try codec.decode(from: &whole)
        #expect(decoded == frame, sourceLocation: sourceLocation)
        #expect(whole.readableBytes == 0, "a whole frame is consumed exactly", sourceLocation: sourceLocation)
        if let decoded {
            #expect(
                try FrameCodec().encode(decoded) == bytes, "re-encoding gives the same bytes",
                sourceLocation: sourceLocation)
        }
        try expectDripFeed(bytes, decodesTo: frame, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

/// Feeds `bytes` in small pieces (one byte at a time for frames up to 4 KiB): every call before
/// the last piece returns nil and consumes nothing; the last returns the frame.
func expectDripFeed(_ bytes: ByteBuffer, decodesTo frame: Frame, sourceLocation: SourceLocation) throws(WireError) {
    let step = bytes.readableBytes <= 4096 ? 1 : 1021
    var codec = FrameCodec()
    var cumulation = ByteBuffer()
    var fed = 0
    while fed < bytes.readableBytes {
        let count = min(step, bytes.readableBytes - fed)
        cumulation.writeImmutableBuffer(bytes.getSlice(at: bytes.readerIndex + fed, length: count)!)
        fed += count
        let readerIndex = cumulation.readerIndex
        let result = try codec.decode(from: &cumulation)
        if fed < bytes.readableBytes {
            guard result == nil, cumulation.readerIndex == readerIndex else {
                Issue.record(
                    "incomplete input after \(fed) bytes was consumed or decoded", sourceLocation: sourceLocation)
                return
            }
        } else {
            #expect(result == frame, sourceLocation: sourceLocation)
            #expect(cumulation.readableBytes == 0, sourceLocation: sourceLocation)
        }
    }
}
