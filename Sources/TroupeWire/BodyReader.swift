import NIOCore

/// Reads body fields off a frame body, turning every shortfall or bad value into a ``WireError``
/// that names the field and its offset from the start of the frame.
///
/// It never traps and never allocates from an untrusted count: an array count is checked against
/// the bytes that remain before any element is read or any capacity reserved.
///
/// A reader exists only inside ``read(_:frameType:_:)``, which lends it the body's bytes: every
/// field is read from memory directly. Reading them through `ByteBuffer` instead (an integer or
/// string at a time) paid its bounds checks, optional results and a run-time exclusivity check
/// per field — about twenty per event delivered, a few per cent of a node's CPU (callgrind,
/// Benchmarks/README.md, fifteenth round).
struct BodyReader {
    /// The body, for slices of it (``readBytes(_:)``).
    private let body: ByteBuffer
    /// The body's readable bytes, valid while ``read(_:frameType:_:)`` runs.
    private let bytes: UnsafeRawBufferPointer
    /// Index in ``bytes`` of the next unread byte.
    private var position = 0
    /// The type of the frame being read, for error context.
    let frameType: FrameType

    private init(body: ByteBuffer, bytes: UnsafeRawBufferPointer, frameType: FrameType) {
        self.body = body
        self.bytes = bytes
        self.frameType = frameType
    }

    /// Runs `read` with a reader over `body`'s readable bytes; the reader must not outlive it.
    static func read<Value>(
        _ body: ByteBuffer, frameType: FrameType, _ read: (inout BodyReader) throws(WireError) -> Value
    ) throws(WireError) -> Value {
        try body.withUnsafeReadableBytes { (bytes) throws(WireError) -> Value in
            var reader = BodyReader(body: body, bytes: bytes, frameType: frameType)
            return try read(&reader)
        }
    }

    /// Frame-relative offset of the next unread byte.
    var offset: Int { FrameCodec.headerLength + position }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - position }

    func error(_ code: WireError.Code, at offset: Int, _ detail: String) -> WireError {
        WireError(code: code, offset: offset, frameType: frameType, detail: detail)
    }

    private func truncated(_ field: StaticString, needs count: Int, at offset: Int) -> WireError {
        error(.truncatedBody, at: offset, "\(field): needs \(count) bytes, \(remaining) left")
    }

    mutating func readInteger<T: FixedWidthInteger>(_ field: StaticString, as: T.Type = T.self) throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw truncated(field, needs: size, at: offset) }
        let value = T(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += size
        return value
    }

    /// A `u16` length, then that many bytes of valid UTF-8.
    mutating func readString(_ field: StaticString) throws(WireError) -> String {
        let start = offset
        let length = Int(try readInteger(field, as: UInt16.self))
        guard length <= remaining else { throw truncated(field, needs: length, at: start) }
        guard let string = UTF8Text.string(validating: UnsafeRawBufferPointer(rebasing: bytes[position ..< position + length])) else {
            throw error(.invalidField, at: start, "\(field): invalid UTF-8")
        }
        position += length
        return string
    }

    /// A `u32` length, then that many raw bytes, returned as a slice of the frame (no copy).
    mutating func readBytes(_ field: StaticString) throws(WireError) -> ByteBuffer {
        let start = offset
        let length = try readInteger(field, as: UInt32.self)
        guard length <= remaining, let slice = body.getSlice(at: body.readerIndex + position, length: Int(length)) else {
            throw truncated(field, needs: Int(length), at: start)
        }
        position += Int(length)
        return slice
    }

    /// A `u16` element count, checked against the bytes that remain given each element's minimum size.
    mutating func readCount(_ field: StaticString, minimumElementSize: Int) throws(WireError) -> Int {
        let start = offset
        let count = Int(try readInteger(field, as: UInt16.self))
        guard count * minimumElementSize <= remaining else {
            throw error(
                .truncatedBody, at: start,
                "\(field): \(count) elements need at least \(count * minimumElementSize) bytes, \(remaining) left"
            )
        }
        return count
    }

    /// 16 bytes: the high then the low 64 bits.
    mutating func readEventID(_ field: StaticString) throws(WireError) -> EventID {
        let start = offset
        guard remaining >= 16 else { throw truncated(field, needs: 16, at: start) }
        let high = try readInteger(field, as: UInt64.self)
        let low = try readInteger(field, as: UInt64.self)
        return EventID(high: high, low: low)
    }

    /// A presence byte (0 or 1), then an ``EventID`` when it is 1.
    mutating func readOptionalEventID(_ field: StaticString) throws(WireError) -> EventID? {
        let start = offset
        switch try readInteger(field, as: UInt8.self) {
        case 0: return nil
        case 1: return try readEventID(field)
        case let other: throw error(.invalidField, at: start, "\(field): presence byte \(other), expected 0 or 1")
        }
    }

    /// Fails with ``WireError/Code/trailingBytes`` unless the whole body has been read.
    func finish() throws(WireError) {
        guard remaining == 0 else {
            throw error(.trailingBytes, at: offset, "\(remaining) bytes after the last field of \(frameType)")
        }
    }
}
