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
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              let high = UInt64(parts[1].prefix(16), radix: 16), let low = UInt64(parts[1].suffix(16), radix: 16),
              let span = UInt64(parts[2], radix: 16), let flags = UInt8(parts[3], radix: 16),
              high != 0 || low != 0, span != 0
        else { return nil }
        self.init(traceID: (high, low), spanID: span, flags: flags)
    }

    /// A new trace with ids drawn from `generator`.
    public static func root(using generator: inout some RandomNumberGenerator) -> TraceParent {
        TraceParent(traceID: (generator.next(), generator.next()), spanID: generator.next())
    }

    /// The same trace, continued by a new span drawn from `generator`.
    public func child(using generator: inout some RandomNumberGenerator) -> TraceParent {
        TraceParent(traceID: traceID, spanID: generator.next(), flags: flags)
    }

    public var description: String {
        "00-\(Self.hex(traceHigh, 16))\(Self.hex(traceLow, 16))-\(Self.hex(spanID, 16))-\(Self.hex(UInt64(flags), 2))"
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

    private static func hex(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
