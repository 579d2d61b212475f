import NIOCore

/// Writes body fields into bytes already reserved for them: the fast path of ``BodyWriter``
/// for a value whose encoded size is known and fits (see
/// ``BodyWriter/writeReserved(_:_:)``).
///
/// Each field goes straight to memory with a store or one copy, where the field-by-field
/// writer went through `ByteBuffer`'s capacity and uniqueness checks for every field: with
/// callgrind, writing an envelope that way cost ~6 000 instructions, three times per event in
/// durable mode (Benchmarks/README.md, eighth round). The caller has checked every length
/// against its prefix; the cursor only writes.
struct FieldCursor {
    private let base: UnsafeMutableRawPointer
    /// Bytes written so far.
    private(set) var offset = 0

    init(base: UnsafeMutableRawPointer) {
        self.base = base
    }

    /// A big-endian integer.
    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
        offset += MemoryLayout<T>.size
    }

    /// The high then the low 64 bits.
    mutating func eventID(_ value: EventID) {
        integer(value.high)
        integer(value.low)
    }

    /// A presence byte, then the id when there is one.
    mutating func optionalEventID(_ value: EventID?) {
        guard let value else { return integer(UInt8(0)) }
        integer(UInt8(1))
        eventID(value)
    }

    /// A `u16` length, then the UTF-8 bytes (at most 65535, checked by the caller).
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            integer(UInt16(truncatingIfNeeded: utf8.count))
            if let source = utf8.baseAddress {
                (base + offset).copyMemory(from: source, byteCount: utf8.count)
            }
            offset += utf8.count
        }
    }

    /// A `u32` length, then the readable bytes of `value`.
    mutating func bytes(_ value: ByteBuffer) {
        integer(UInt32(truncatingIfNeeded: value.readableBytes))
        value.withUnsafeReadableBytes { bytes in
            if let source = bytes.baseAddress {
                (base + offset).copyMemory(from: source, byteCount: bytes.count)
            }
            offset += bytes.count
        }
    }
}
