import NIOCore

/// Appends body fields to an output buffer, refusing values that do not fit their length prefix
/// (``WireError/Code/fieldTooLong``) or would push the body over the limit
/// (``WireError/Code/frameTooLarge``) before copying them.
///
/// The writer takes the caller's buffer for the duration (``init(taking:frameType:maxBodyLength:)``
/// then ``release(into:)``) so that it owns the storage uniquely and appending never copies it.
struct BodyWriter {
    /// The output; the body starts at `bodyStartIndex`.
    private var buffer: ByteBuffer
    private let bodyStartIndex: Int
    private let maxBodyLength: Int
    /// The type of the frame being written, for error context.
    let frameType: FrameType

    /// Stands in for the caller's buffer while the writer holds it.
    private static let placeholder = ByteBufferAllocator().buffer(capacity: 0)

    /// Takes `buffer` over; the body starts at its writer index.
    init(taking buffer: inout ByteBuffer, frameType: FrameType, maxBodyLength: Int) {
        self.buffer = buffer
        buffer = Self.placeholder
        self.bodyStartIndex = self.buffer.writerIndex
        self.frameType = frameType
        self.maxBodyLength = maxBodyLength
    }

    /// Hands the buffer, with everything written so far, back to the caller.
    mutating func release(into buffer: inout ByteBuffer) {
        buffer = self.buffer
        self.buffer = Self.placeholder
    }

    /// Bytes of body written so far.
    var bodyLength: Int { buffer.writerIndex - bodyStartIndex }

    /// Frame-relative offset of the next byte written.
    private var offset: Int { FrameCodec.headerLength + bodyLength }

    private func error(_ code: WireError.Code, _ detail: String) -> WireError {
        WireError(code: code, offset: offset, frameType: frameType, detail: detail)
    }

    /// Throws ``WireError/Code/frameTooLarge`` unless `count` more bytes fit in the body.
    private func reserve(_ field: StaticString, _ count: Int) throws(WireError) {
        guard count <= maxBodyLength - bodyLength else {
            throw error(
                .frameTooLarge,
                "\(field): body would reach \(bodyLength + count) bytes, limit is \(maxBodyLength)"
            )
        }
    }

    /// Whether `count` more bytes fit in the body.
    func fits(_ count: Int) -> Bool {
        count <= maxBodyLength - bodyLength
    }

    /// Writes exactly `count` bytes of fields through `fill`, with the buffer's capacity
    /// reserved once. The caller has checked every field against its length prefix and
    /// ``fits(_:)``; fields that may not fit go through the checked writers instead, so that
    /// their errors name the field.
    mutating func writeReserved(_ count: Int, _ fill: (inout FieldCursor) -> Void) {
        precondition(fits(count), "writeReserved needs a size that fits")
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var cursor = FieldCursor(base: raw.baseAddress!)
            fill(&cursor)
            precondition(cursor.offset == count, "wrote \(cursor.offset) bytes of \(count) reserved")
            return count
        }
    }

    mutating func writeInteger<T: FixedWidthInteger>(_ value: T, _ field: StaticString) throws(WireError) {
        try reserve(field, MemoryLayout<T>.size)
        buffer.writeInteger(value, endianness: .big)
    }

    /// A `u16` length, then the UTF-8 bytes.
    mutating func writeString(_ value: String, _ field: StaticString) throws(WireError) {
        let length = value.utf8.count
        guard length <= Int(UInt16.max) else {
            throw error(.fieldTooLong, "\(field): \(length) bytes of UTF-8, at most 65535 fit")
        }
        try reserve(field, 2 + length)
        buffer.writeInteger(UInt16(length), endianness: .big)
        buffer.writeString(value)
    }

    /// A `u32` length, then the readable bytes of `value`.
    mutating func writeBytes(_ value: ByteBuffer, _ field: StaticString) throws(WireError) {
        let length = value.readableBytes
        guard UInt64(length) <= UInt64(UInt32.max) else {
            throw error(.fieldTooLong, "\(field): \(length) bytes, at most 4294967295 fit")
        }
        try reserve(field, 4 + length)
        buffer.writeInteger(UInt32(length), endianness: .big)
        buffer.writeImmutableBuffer(value)
    }

    /// A `u16` element count.
    mutating func writeCount(_ count: Int, _ field: StaticString) throws(WireError) {
        guard count <= Int(UInt16.max) else {
            throw error(.fieldTooLong, "\(field): \(count) elements, at most 65535 fit")
        }
        try writeInteger(UInt16(count), field)
    }

    /// 16 bytes: the high then the low 64 bits.
    mutating func writeEventID(_ value: EventID, _ field: StaticString) throws(WireError) {
        try reserve(field, 16)
        buffer.writeInteger(value.high, endianness: .big)
        buffer.writeInteger(value.low, endianness: .big)
    }

    /// A presence byte, then the id when there is one.
    mutating func writeOptionalEventID(_ value: EventID?, _ field: StaticString) throws(WireError) {
        guard let value else { return try writeInteger(UInt8(0), field) }
        try writeInteger(UInt8(1), field)
        try writeEventID(value, field)
    }
}
