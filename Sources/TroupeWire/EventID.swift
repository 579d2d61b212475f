/// A 128-bit event identifier that sorts by creation time (the ULID layout).
///
/// The high 48 bits are milliseconds since the Unix epoch, the low 80 bits are random. Its text
/// form is 26 characters of Crockford base32 (`01JD3V9Q3M8ZK4X2B7N5R6T0WA`), which sorts the same
/// way as the bits. Time and randomness are passed in, never read here, so simulated runs stay
/// deterministic.
public struct EventID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The high 64 bits: 48 bits of milliseconds, then 16 random bits.
    public var high: UInt64
    /// The low 64 random bits.
    public var low: UInt64

    /// The all-zero id, used for "none" where a field is required to have a value.
    public static let zero = EventID(high: 0, low: 0)

    /// Wraps raw bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Builds an id from a millisecond timestamp and random bits drawn from `generator`.
    public init(millisecondsSinceEpoch: UInt64, using generator: inout some RandomNumberGenerator) {
        let random = generator.next()
        self.high = (millisecondsSinceEpoch & 0xFFFF_FFFF_FFFF) << 16 | (random & 0xFFFF)
        self.low = generator.next()
    }

    /// The id of the next event a node creates at `millisecondsSinceEpoch`, after `previous` (its
    /// last one): a new random id once the clock has passed `previous`'s millisecond, otherwise
    /// `previous` + 1 (ULID's monotonic mode; a clock that steps back keeps counting up from
    /// `previous`).
    ///
    /// So a node's ids only grow. The tables keyed or indexed by them (a publisher's outbox, a
    /// consumer's idempotency records, the archive's correlation index) then take each new row
    /// at their end: with ids random within a millisecond, rows landed among the last pages and
    /// split them half-full, and every commit rewrote more pages (Benchmarks/README.md,
    /// fourteenth round). The 80 random bits of the millisecond's first id keep ids of
    /// different nodes apart as before.
    public static func monotonic(
        after previous: EventID?, millisecondsSinceEpoch: UInt64, using generator: inout some RandomNumberGenerator
    ) -> EventID {
        let milliseconds = millisecondsSinceEpoch & 0xFFFF_FFFF_FFFF
        guard let previous, previous.millisecondsSinceEpoch >= milliseconds else {
            return EventID(millisecondsSinceEpoch: milliseconds, using: &generator)
        }
        let (low, carried) = previous.low.addingReportingOverflow(1)
        return EventID(high: carried ? previous.high &+ 1 : previous.high, low: low)
    }

    /// The creation time in milliseconds since the Unix epoch.
    public var millisecondsSinceEpoch: UInt64 { high >> 16 }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Parses the 26-character Crockford base32 form (case-insensitive; `I`/`L` read as 1, `O` as 0).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 26 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            guard let value = Self.decodeDigit(byte) else { return nil }
            // The first digit carries only 3 bits (128 = 2 + 25 * 5).
            if index == 0, value > 7 { return nil }
            high = high << 5 | low >> 59
            low = low << 5 | UInt64(value)
        }
        self.init(high: high, low: low)
    }

    private static func decodeDigit(_ byte: UInt8) -> UInt8? {
        var upper = byte
        if (0x61...0x7A).contains(upper) { upper -= 0x20 }
        switch upper {
        case UInt8(ascii: "I"), UInt8(ascii: "L"): return 1
        case UInt8(ascii: "O"): return 0
        default: return alphabet.firstIndex(of: upper).map(UInt8.init)
        }
    }

    /// The 26-character Crockford base32 form.
    public var description: String {
        // Written straight into the string's storage: one allocation, no intermediate array.
        String(unsafeUninitializedCapacity: 26) { digits in
            var high = self.high
            var low = self.low
            for index in stride(from: 25, through: 0, by: -1) {
                digits[index] = Self.alphabet[Int(low & 0x1F)]
                low = low >> 5 | (high & 0x1F) << 59
                high >>= 5
            }
            return 26
        }
    }

    /// Orders ids by their bits, which is creation time first.
    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
