import NIOCore
import Testing
@testable import TroupeWire

@Suite struct CRC32CTests {
    @Test func checkValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum(ByteBuffer(string: "123456789")) == 0xE306_9283)
    }

    @Test func knownVectors() {
        // RFC 3720 (iSCSI) appendix B.4 test patterns.
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func incrementalEqualsOneShot() {
        var rng = SplitMix64(seed: 0xC2C3_2C)
        for _ in 0..<200 {
            let data = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var crc = CRC32C()
            var rest = data[...]
            while !rest.isEmpty {
                let chunk = rest.prefix(Int.random(in: 1...20, using: &rng))
                crc.update(chunk)
                rest = rest.dropFirst(chunk.count)
            }
            #expect(crc.value == CRC32C.checksum(data))
            #expect(crc.value == Self.bitwise(data), "slicing-by-8 must agree with the bitwise definition")
        }
    }

    /// The CPU's CRC-32C instructions (when this machine has them: `CRC32C.usesHardware`) and
    /// the lookup tables give the same register for the same bytes, at every length, alignment
    /// and chunking (the instructions take eight bytes at a time, then single bytes).
    @Test func instructionsAndTablesAgree() {
        var rng = SplitMix64(seed: 0x5EED_C2C)
        let pool = (0..<2_048).map { _ in UInt8.random(in: 0...255, using: &rng) }
        pool.withUnsafeBytes { pool in
            for _ in 0..<2_000 {
                let start = Int.random(in: 0..<64, using: &rng)
                let count = Int.random(in: 0...1_100, using: &rng)
                let bytes = UnsafeRawBufferPointer(rebasing: pool[start..<(start + count)])
                var viaTables = CRC32C()
                viaTables.updateWithTables(bytes)
                var viaUpdate = CRC32C()
                var offset = 0
                while offset < count {
                    let chunk = min(count - offset, Int.random(in: 1...40, using: &rng))
                    viaUpdate.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + chunk)]))
                    offset += chunk
                }
                #expect(viaUpdate.value == viaTables.value, "\(count) bytes at offset \(start)")
                #expect(viaTables.value == Self.bitwise(Array(bytes)))
            }
        }
        var check = CRC32C()
        Array("123456789".utf8).withUnsafeBytes { check.updateWithTables($0) }
        #expect(check.value == 0xE306_9283)
    }

    @Test func nonContiguousInput() {
        let data = (0..<100).map { UInt8($0 * 7 & 0xFF) }
        #expect(CRC32C.checksum(data.lazy.map { $0 }) == CRC32C.checksum(data))
    }

    /// The textbook bit-at-a-time definition.
    static func bitwise(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
