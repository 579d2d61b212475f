internal import CTroupeCRC32C
public import NIOCore

/// CRC-32C (Castagnoli): the checksum in every frame's trailer.
///
/// Reflected polynomial `0x82F63B78`, initial value and final XOR `0xFFFFFFFF`; the check value of
/// the ASCII bytes `123456789` is `0xE3069283`. Feed bytes with the `update` methods
/// (incrementally, in any chunking) and read ``value``; or call `CRC32C.checksum(_:)` for one shot.
///
/// On a CPU with CRC-32C instructions (x86-64 with SSE 4.2, ARMv8 with the CRC32 extension:
/// every server CPU of the last decade) the bytes go through them, eight at a time (C target
/// `CTroupeCRC32C`, chosen once per process at run time); elsewhere through tables, slicing by
/// eight bytes. Both give the same register for the same bytes (tested on random input). The
/// instructions take ~0.2 instructions per byte instead of the tables' ~2.5: every frame is
/// checksummed once by its sender and once by its receiver, and a durable event's envelope
/// again for each store record, ~3 000 instructions per memory-mode event and ~6 000 per
/// durable one with tables (Benchmarks/README.md, ninth round).
public struct CRC32C: Hashable, Sendable {
    /// The reflected Castagnoli polynomial.
    public static let polynomial: UInt32 = 0x82F6_3B78

    /// The running register, pre-inverted.
    private var register: UInt32 = 0xFFFF_FFFF

    /// Starts an empty checksum.
    public init() {}

    /// The checksum of every byte fed so far.
    public var value: UInt32 { ~register }

    /// Whether this process checksums with the CPU's CRC-32C instructions.
    public static let usesHardware: Bool = c_troupe_crc32c_hardware_available() != 0

    /// Feeds raw bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard Self.usesHardware, let base = bytes.baseAddress else {
            return updateWithTables(bytes)
        }
        register = c_troupe_crc32c_update(register, base, bytes.count)
    }

    /// Feeds raw bytes through the lookup tables (the path of CPUs without CRC-32C
    /// instructions; tests compare the two).
    mutating func updateWithTables(_ bytes: UnsafeRawBufferPointer) {
        register = Self.tables.withUnsafeBufferPointer { table in
            Self.update(register, bytes, table)
        }
    }

    /// Feeds a collection of bytes (contiguous storage is used directly when available).
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds the readable bytes of `buffer` without moving its reader index.
    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    /// The checksum of `bytes` in one call.
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of the readable bytes of `buffer` in one call.
    public static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        var crc = CRC32C()
        crc.update(buffer)
        return crc.value
    }

    /// Eight 256-entry tables, flattened: table `k` advances a byte that is followed by `k` more.
    private static let tables: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            table[index] = crc
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = table[(slice - 1) * 256 + index]
                table[slice * 256 + index] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    private static func update(
        _ start: UInt32,
        _ bytes: UnsafeRawBufferPointer,
        _ table: UnsafeBufferPointer<UInt32>
    ) -> UInt32 {
        var crc = start
        var position = 0
        let count = bytes.count
        while count - position >= 8 {
            let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)) ^ crc
            let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self))
            crc =
                table[0x700 | Int(low & 0xFF)]
                ^ table[0x600 | Int((low >> 8) & 0xFF)]
                ^ table[0x500 | Int((low >> 16) & 0xFF)]
                ^ table[0x400 | Int(low >> 24)]
                ^ table[0x300 | Int(high & 0xFF)]
                ^ table[0x200 | Int((high >> 8) & 0xFF)]
                ^ table[0x100 | Int((high >> 16) & 0xFF)]
                ^ table[Int(high >> 24)]
            position += 8
        }
        while position < count {
            crc = table[Int((crc ^ UInt32(bytes[position])) & 0xFF)] ^ (crc >> 8)
            position += 1
        }
        return crc
    }
}
