public import Troupe
import Synchronization

/// A node's clock in a simulation: ``VirtualTime`` plus this node's wall-clock skew.
///
/// The wall clock starts at a fixed epoch (2026-01-01T00:00:00Z) rather than today, so that
/// ids derived from it (event ids, delivery-id ranges) are the same in every run of a seed.
/// The monotonic clock is the virtual time itself; skew, like on a real host, affects only
/// the wall clock.
public final class VirtualNodeClock: NodeClock {
    /// The wall-clock instant of virtual time zero, in microseconds since the Unix epoch.
    public static let epochMicros: Int64 = 1_767_225_600_000_000

    private let time: VirtualTime
    private let skew = Atomic<Int64>(0)

    /// Creates a clock reading `time`, with no skew.
    public init(time: VirtualTime) {
        self.time = time
    }

    /// The current skew, in microseconds.
    public var skewMicros: Int64 { skew.load(ordering: .relaxed) }

    /// Sets the wall-clock skew (a `clockSkew` fault).
    public func setSkew(micros: Int64) { skew.store(micros, ordering: .relaxed) }

    /// The virtual instant as wall-clock microseconds, skewed.
    public func wallMicros() -> Int64 { Self.epochMicros + time.nanoseconds / 1000 + skewMicros }

    /// The virtual instant.
    public func monotonicNow() -> MonotonicTime { MonotonicTime(nanoseconds: time.nanoseconds) }
}
