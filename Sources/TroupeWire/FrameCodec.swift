public import NIOCore

/// Encodes ``Frame`` values to bytes and decodes them back, following the layout in `Protocol.md`.
///
/// ```
/// "TRP" (3) | version (1) | type (1) | flags (1) | length (4) | body (length) | crc32c (4)
/// ```
///
/// A pure value: no I/O, no clock. The decoder follows NIO's contract: given too few bytes for a
/// whole frame it returns nil and consumes nothing; given a whole frame it consumes exactly that
/// frame. It reports malformed input as a ``WireError`` as early as the bytes allow: a bad magic
/// byte, an unsupported major version or an oversized length fail before the rest of the frame
/// arrives, so nothing is buffered for a frame that will be refused.
public struct FrameCodec: Sendable {
    /// The three bytes every frame starts with: ASCII `TRP`.
    public static let magic: [UInt8] = [0x54, 0x52, 0x50]
    /// Bytes before the body: magic, version, type, flags and length.
    public static let headerLength = 10
    /// Bytes after the body: the CRC32C.
    public static let trailerLength = 4
    /// Frame-relative offset of the 32-bit body length.
    static let lengthOffset = 6

    /// The bounds enforced in both directions.
    public let limits: WireLimits
    /// The version written into the header of every encoded frame.
    public let version: ProtocolVersion
    /// How many frames of a newer minor version with an unknown type were skipped so far.
    public private(set) var skippedFrameCount = 0

    /// Creates a codec speaking ``ProtocolVersion/current``.
    public init(limits: WireLimits = WireLimits()) {
        self.limits = limits
        self.version = .current
    }

    /// Appends the encoding of `frame` to `buffer`.
    ///
    /// On failure (``WireError/Code/fieldTooLong``, ``WireError/Code/frameTooLarge``) the buffer's
    /// writer index is restored, so nothing of the frame is left behind.
    public func encode(_ frame: Frame, into buffer: inout ByteBuffer) throws(WireError) {
        if case .event(let delivery) = frame, let bodyLength = delivery.encodedSizeIfEncodable, bodyLength <= limits.maxBodyLength {
            return encodeEvent(delivery, bodyLength: bodyLength, into: &buffer)
        }
        let frameStart = buffer.writerIndex
        // Magic, version, type, flags (none defined) and the first half of the length, which is
        // patched below: two stores instead of five field writes.
        let head = UInt64(0x54_52_50) << 40 | UInt64(version.byte) << 32 | UInt64(frame.type.rawValue) << 24
        buffer.writeInteger(head, endianness: .big)
        buffer.writeInteger(UInt16(0))

        var writer = BodyWriter(taking: &buffer, frameType: frame.type, maxBodyLength: limits.maxBodyLength)
        do {
            try frame.writeBody(to: &writer)
        } catch {
            writer.release(into: &buffer)
            buffer.moveWriterIndex(to: frameStart)
            throw error
        }
        let bodyLength = writer.bodyLength
        writer.release(into: &buffer)

        buffer.setInteger(UInt32(bodyLength), at: frameStart + Self.lengthOffset)
        let checksum = Self.checksum(of: buffer, from: frameStart, length: Self.headerLength + bodyLength)
        buffer.writeInteger(checksum)
    }

    /// Appends an EVENT frame whose body is known to fit: header, body and checksum written
    /// into bytes reserved once. Every event is encoded this way at least once per node (for
    /// the wire, and for the store in durable mode), and the field-by-field path around the
    /// reserved body — `ByteBuffer` writes of the header, delivery id, group, length and
    /// checksum, each with its capacity, uniqueness and exclusivity checks — cost about as much
    /// as the envelope's own fields (callgrind, Benchmarks/README.md, fifteenth round).
    private func encodeEvent(_ delivery: EventDelivery, bodyLength: Int, into buffer: inout ByteBuffer) {
        let frameLength = Self.headerLength + bodyLength + Self.trailerLength
        let version = version.byte
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: frameLength) { raw in
            var cursor = FieldCursor(base: raw.baseAddress!)
            cursor.integer(UInt32(0x54_52_50) << 8 | UInt32(version))
            cursor.integer(FrameType.event.rawValue)
            cursor.integer(UInt8(0))  // flags: none defined
            cursor.integer(UInt32(bodyLength))
            delivery.write(to: &cursor)
            precondition(cursor.offset == Self.headerLength + bodyLength, "an EVENT body wrote \(cursor.offset - Self.headerLength) bytes of \(bodyLength)")
            var crc = CRC32C()
            crc.update(UnsafeRawBufferPointer(rebasing: raw[..<cursor.offset]))
            cursor.integer(crc.value)
            return frameLength
        }
    }

    /// Encodes `frame` into a new buffer.
    public func encode(_ frame: Frame, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(WireError)
        -> ByteBuffer
    {
        var buffer = allocator.buffer(capacity: 64)
        try encode(frame, into: &buffer)
        return buffer
    }

    /// Decodes the next frame from the readable bytes of `buffer`.
    ///
    /// Returns nil, consuming nothing, while the frame is incomplete. Frames of a newer minor
    /// version whose type this build does not know are consumed and counted in
    /// ``skippedFrameCount``, and decoding continues with the frame after them. On an error
    /// nothing is consumed; the stream cannot be resynchronised and the link should be closed.
    public mutating func decode(from buffer: inout ByteBuffer) throws(WireError) -> Frame? {
        while true {
            switch try decodeOne(from: buffer) {
            case .incomplete:
                return nil
            case .skipped(let frameLength):
                buffer.moveReaderIndex(forwardBy: frameLength)
                skippedFrameCount += 1
            case .decoded(let frame, let frameLength):
                buffer.moveReaderIndex(forwardBy: frameLength)
                return frame
            }
        }
    }

    private enum Step {
        case incomplete
        case skipped(frameLength: Int)
        case decoded(Frame, frameLength: Int)
    }

    /// Examines the frame at the reader index of `buffer` without consuming anything.
    private func decodeOne(from buffer: ByteBuffer) throws(WireError) -> Step {
        // The header and trailer are read from the buffer's memory in one pass: through
        // `ByteBuffer`'s accessors each integer paid a bounds check, an optional and a run-time
        // exclusivity check, six times a frame.
        let checked = try buffer.withUnsafeReadableBytes { (bytes) throws(WireError) -> CheckedFrame? in
            try check(bytes)
        }
        guard let checked else { return .incomplete }
        guard checked.type.isKnown else {
            if checked.version.minor > version.minor { return .skipped(frameLength: checked.frameLength) }
            throw WireError(
                code: .unknownFrameType, offset: 4, frameType: checked.type,
                detail: "type \(hex(checked.type.rawValue)) is not defined in protocol version \(checked.version)"
            )
        }
        let body = buffer.getSlice(at: buffer.readerIndex + Self.headerLength, length: checked.bodyLength)!
        let frame = try BodyReader.read(body, frameType: checked.type) { (reader) throws(WireError) in try Frame(readingBodyFrom: &reader) }
        return .decoded(frame, frameLength: checked.frameLength)
    }

    /// A whole frame whose header and checksum are valid.
    private struct CheckedFrame {
        var version: ProtocolVersion
        var type: FrameType
        var bodyLength: Int
        var frameLength: Int
    }

    /// Checks the header and checksum of the frame at the start of `bytes`; nil while it is incomplete.
    private func check(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> CheckedFrame? {
        let available = bytes.count
        for index in 0..<min(Self.magic.count, available) {
            let byte = bytes[index]
            guard byte == Self.magic[index] else {
                throw WireError(
                    code: .badMagic, offset: index,
                    detail: "magic byte \(index) is \(hex(byte)), expected \(hex(Self.magic[index]))"
                )
            }
        }
        guard available >= Self.headerLength else { return nil }

        let frameVersion = ProtocolVersion(byte: bytes[3])
        let type = FrameType(rawValue: bytes[4])
        guard frameVersion.major == version.major else {
            throw WireError(
                code: .unsupportedVersion, offset: 3, frameType: type,
                detail: "protocol version \(frameVersion), this build speaks \(version.major).x"
            )
        }
        let declaredLength = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: Self.lengthOffset, as: UInt32.self))
        guard UInt64(declaredLength) <= UInt64(limits.maxBodyLength) else {
            throw WireError(
                code: .frameTooLarge, offset: Self.lengthOffset, frameType: type,
                detail: "declared body length \(declaredLength) exceeds the limit of \(limits.maxBodyLength)"
            )
        }
        let bodyLength = Int(declaredLength)
        let frameLength = Self.headerLength + bodyLength + Self.trailerLength
        guard available >= frameLength else { return nil }

        let trailerOffset = Self.headerLength + bodyLength
        let expected = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: trailerOffset, as: UInt32.self))
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: bytes[..<trailerOffset]))
        guard expected == crc.value else {
            throw WireError(
                code: .checksumMismatch, offset: trailerOffset, frameType: type,
                detail: "CRC32C trailer is \(hex(expected)), the frame's bytes give \(hex(crc.value))"
            )
        }
        return CheckedFrame(version: frameVersion, type: type, bodyLength: bodyLength, frameLength: frameLength)
    }

    /// CRC32C of `length` bytes of `buffer` starting at index `start`.
    private static func checksum(of buffer: ByteBuffer, from start: Int, length: Int) -> UInt32 {
        var crc = CRC32C()
        buffer.withUnsafeReadableBytes { bytes in
            let offset = start - buffer.readerIndex
            crc.update(UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + length]))
        }
        return crc.value
    }
}

/// `0x` and the value in upper-case hex, padded to the type's width.
private func hex<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, MemoryLayout<T>.size * 2 - digits.count)) + digits
}
