/// A W3C Trace Context `traceparent` value: `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`.
///
/// The runtime keeps trace context flowing through every event even when no tracer is
/// installed: an event published while handling another continues its trace (same trace id,
/// new span id); one published from outside starts a new trace.
public struct TraceParent: Hashable, Sendable, CustomStringConvertible {
    /// 128-bit trace id (high, low).
    public var traceID: (high: UInt64, low: UInt64) {
        get { (traceHigh, traceLow) }
        set { (traceHigh, traceLow) = newValue }
    }
    /// 64-bit id of the span that published the event.
    public var spanID: UInt64
    /// Trace flags; bit 0 is "sampled".
    public var flags: UInt8

    private var traceHigh: UInt64
    private var traceLow: UInt64

    /// Creates a value; a zero trace or span id is invalid in W3C terms and replaced by 1.
    public init(traceID: (high: UInt64, low: UInt64), spanID: UInt64, flags: UInt8 = 1) {
        self.traceHigh = traceID.high
        self.traceLow = traceID.high == 0 && traceID.low == 0 ? 1 : traceID.low
        self.spanID = spanID == 0 ? 1 : spanID
        self.flags = flags
    }

    /// Parses a `traceparent` header; nil if it is not version 00 of the format.
    ///
    /// Read from the bytes in one pass: every event published while handling another parses its
    /// parent's header, and splitting the text into substrings cost several allocations each time.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self.init(traceID: (parsed.high, parsed.low), spanID: parsed.span, flags: parsed.flags)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (high: UInt64, low: UInt64, span: UInt64, flags: UInt8)? {
        // 00-<32 hex>-<16 hex>-<2 hex>: 55 bytes, dashes at 2, 35 and 52.
        guard bytes.count == 55, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0"),
              bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              let high = hexValue(bytes, from: 3, count: 16), let low = hexValue(bytes, from: 19, count: 16),
              let span = hexValue(bytes, from: 36, count: 16), let flags = hexValue(bytes, from: 53, count: 2),
              high != 0 || low != 0, span != 0
        else { return nil }
        return (high, low, span, UInt8(flags))
    }

    private static func hexValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64? {
        var value: UInt64 = 0
        for index in start ..< start + count {
            guard let digit = HexDigit.value(of: bytes[index]) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// A new trace with ids drawn from `generator`.
    public static func root(using generator: inout some RandomNumberGenerator) -> TraceParent {
        TraceParent(traceID: (generator.next(), generator.next()), spanID: generator.next())
    }

    /// The same trace, continued by a new span drawn from `generator`.
    public func child(using generator: inout some RandomNumberGenerator) -> TraceParent {
        TraceParent(traceID: traceID, spanID: generator.next(), flags: flags)
    }

    /// The header's text, lower-case hex as W3C requires; written straight into the string's
    /// storage (every event carries one, and formatting each part as its own string cost ten
    /// allocations per event).
    public var description: String {
        String(unsafeUninitializedCapacity: 55) { bytes in
            bytes[0] = UInt8(ascii: "0")
            bytes[1] = UInt8(ascii: "0")
            bytes[2] = UInt8(ascii: "-")
            Self.writeHex(traceHigh, digits: 16, into: bytes, at: 3)
            Self.writeHex(traceLow, digits: 16, into: bytes, at: 19)
            bytes[35] = UInt8(ascii: "-")
            Self.writeHex(spanID, digits: 16, into: bytes, at: 36)
            bytes[52] = UInt8(ascii: "-")
            Self.writeHex(UInt64(flags), digits: 2, into: bytes, at: 53)
            return 55
        }
    }

    public static func == (lhs: TraceParent, rhs: TraceParent) -> Bool {
        lhs.traceHigh == rhs.traceHigh && lhs.traceLow == rhs.traceLow && lhs.spanID == rhs.spanID && lhs.flags == rhs.flags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(traceHigh)
        hasher.combine(traceLow)
        hasher.combine(spanID)
        hasher.combine(flags)
    }

    /// Writes `value`'s low `digits` nibbles as lower-case hex, most significant first.
    ///
    /// A digit is picked from a 16-byte table (`StaticString` storage, no allocation) in a loop
    /// with a constant trip count; the stride-and-branch form before took ~22 instructions per
    /// digit, 750 per header, paid for every event published.
    private static func writeHex(_ value: UInt64, digits: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let table = ("0123456789abcdef" as StaticString).utf8Start
        var value = value
        var index = start + digits
        while index > start {
            index -= 1
            bytes[index] = table[Int(truncatingIfNeeded: value & 0xF)]
            value >>= 4
        }
    }
}
