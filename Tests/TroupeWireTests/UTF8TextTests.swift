import Testing
import TroupeWire

@Suite struct UTF8TextTests {
    private func text(_ bytes: [UInt8]) -> String? {
        UTF8Text.string(validating: bytes)
    }

    @Test func wellFormedTextReadsBackAsItself() {
        for sample in ["", "a", "OrderPlaced", "order-17 ✓", "Grüße", "日本語", "🎭 troupe", String(repeating: "x", count: 300)] {
            #expect(text(Array(sample.utf8)) == sample)
        }
    }

    @Test func illFormedSequencesAreRefusedEvenWhereRepairKeepsTheLength() {
        let refused: [[UInt8]] = [
            [0x80],                          // a lone continuation byte
            [0xC3],                          // a truncated two-byte sequence
            [0xF0, 0x9F, 0x98, 0x41],        // a truncated four-byte sequence: repaired to 3 + 1 bytes
            [0xEF, 0xBF, 0x41, 0x41],        // a truncated three-byte sequence before two more bytes
            [0xC0, 0xAF],                    // an overlong '/'
            [0xED, 0xA0, 0x80],              // a UTF-16 surrogate
            [0xF4, 0x90, 0x80, 0x80],        // above U+10FFFF
            [0xFF],
            Array("ok".utf8) + [0xE2, 0x82],  // cut short at the end
        ]
        for bytes in refused {
            #expect(text(bytes) == nil, "\(bytes) is not UTF-8")
        }
        // U+FFFD itself, written out, is well-formed.
        #expect(text([0xEF, 0xBF, 0xBD]) == "\u{FFFD}")
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var random = SplitMix64(seed: 0x5EED_0F_7E57)
        // Bytes drawn mostly from the ranges where UTF-8 decisions are made.
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                                    0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var refusedCount = 0
        for _ in 0 ..< 20_000 {
            let length = Int(random.next() % 12)
            let bytes = (0 ..< length).map { _ in
                let draw = random.next()
                return draw & 1 == 0 ? interesting[Int(draw >> 8) % interesting.count] : UInt8(truncatingIfNeeded: draw >> 16)
            }
            let expected = String(validating: bytes, as: UTF8.self)
            #expect(text(bytes) == expected, "\(bytes)")
            if expected == nil { refusedCount += 1 }
        }
        #expect(refusedCount > 1000 && refusedCount < 19_000, "the sample mixes both outcomes")
    }
}
