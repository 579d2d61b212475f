import Synchronization
public import Troupe

/// A node clock whose wall time runs ahead of (or behind) the system's by an adjustable skew —
/// the "clock skew on a node" fault. Monotonic time is untouched: timers and timeouts do not
/// care about the wall clock, idempotency expiry and publish times do.
public final class SkewedNodeClock: NodeClock {
    private let base: SystemNodeClock
    private let skew = Mutex<Int64>(0)

    /// Creates a clock with no skew.
    public init() { base = SystemNodeClock() }

    /// The current skew in microseconds (positive: ahead).
    public var skewMicros: Int64 { skew.withLock { $0 } }

    /// Sets the skew in microseconds (positive: ahead).
    public func setSkew(micros: Int64) { skew.withLock { $0 = micros } }

    /// The system's wall clock plus the skew.
    public func wallMicros() -> Int64 { base.wallMicros() + skewMicros }

    /// The system's monotonic clock.
    public func monotonicNow() -> MonotonicTime { base.monotonicNow() }
}
