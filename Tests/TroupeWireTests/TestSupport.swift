import NIOCore
import Testing
import TroupeWire

/// Builds raw frame bytes by hand, so tests can craft exactly the malformation they want.
struct RawBytes {
    var bytes: [UInt8] = []

    func u8(_ value: UInt8) -> RawBytes { appending([value]) }
    func u16(_ value: UInt16) -> RawBytes { integer(value) }
    func u32(_ value: UInt32) -> RawBytes { integer(value) }
    func u64(_ value: UInt64) -> RawBytes { integer(value) }
    func i64(_ value: Int64) -> RawBytes { integer(value) }
    /// A `u16` length and the UTF-8 of `value`.
    func string(_ value: String) -> RawBytes { u16(UInt16(value.utf8.count)).appending(Array(value.utf8)) }
    /// A `u16` length and arbitrary bytes as a string's content.
    func string(raw content: [UInt8]) -> RawBytes { u16(UInt16(content.count)).appending(content) }
    func eventID(_ id: EventID) -> RawBytes { u64(id.high).u64(id.low) }
    func appending(_ more: [UInt8]) -> RawBytes { RawBytes(bytes: bytes + more) }

    private func integer<T: FixedWidthInteger>(_ value: T) -> RawBytes {
        appending(withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }
}

/// A whole frame around `body`: header, body and a CRC computed over them (unless one is given).
func rawFrame(
    version: UInt8 = 0x10,
    type: UInt8,
    flags: UInt8 = 0,
    body: [UInt8],
    declaredLength: UInt32? = nil,
    crc: UInt32? = nil
) -> [UInt8] {
    let length = declaredLength ?? UInt32(body.count)
    let withoutTrailer = RawBytes().appending([0x54, 0x52, 0x50, version, type, flags]).u32(length).appending(body)
    return withoutTrailer.u32(crc ?? CRC32C.checksum(withoutTrailer.bytes)).bytes
}

/// Overwrites the CRC trailer of a complete frame with the right value for its bytes.
func fixingChecksum(_ frame: [UInt8]) -> [UInt8] {
    guard frame.count >= 14 else { return frame }
    let crc = CRC32C.checksum(frame[..<(frame.count - 4)])
    return Array(frame[..<(frame.count - 4)]) + RawBytes().u32(crc).bytes
}

/// Decodes `bytes` once and returns the error, or nil (recording an issue) when there was none.
func decodingError(
    _ bytes: [UInt8],
    limits: WireLimits = WireLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> WireError? {
    var codec = FrameCodec(limits: limits)
    var buffer = ByteBuffer(bytes: bytes)
    do {
        let frame = try codec.decode(from: &buffer)
        Issue.record("expected an error, decoded \(String(describing: frame))", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(buffer.readerIndex == 0, "an error must not consume input", sourceLocation: sourceLocation)
        return error
    }
}

/// Encodes `frame` with a default codec, recording an issue on failure.
func encoded(_ frame: Frame, sourceLocation: SourceLocation = #_sourceLocation) -> ByteBuffer? {
    do {
        return try FrameCodec().encode(frame)
    } catch {
        Issue.record("encoding failed: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Parses hex digit pairs separated by whitespace.
func bytes(hex text: String) -> [UInt8]? {
    var result: [UInt8] = []
    for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
        guard token.count == 2, let byte = UInt8(token, radix: 16) else { return nil }
        result.append(byte)
    }
    return result
}

/// A small, fast, seedable generator (SplitMix64) for the fuzz tests.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
