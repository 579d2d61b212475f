import Foundation

/// Where a node reads time: wall-clock microseconds (persisted: publish times, idempotency
/// expiry, dead-letter times) and a monotonic instant (timers, timeouts).
///
/// Injected so a simulator can run nodes on a virtual clock and chaos can skew one node's wall
/// clock. Idempotency expiry is checked against the wall clock of the node that wrote the record,
/// so a skewed clock can only make records live longer or shorter by the skew; see
/// ``NodeConfiguration/idempotencyTTL``.
public protocol NodeClock: Sendable {
    /// Microseconds since the Unix epoch.
    func wallMicros() -> Int64
    /// Now on a monotonic time line.
    func monotonicNow() -> MonotonicTime
}

/// The system's clocks. Every read is reported to ``DeterminismGuard``, so a simulation that
/// is handed this clock by mistake is caught.
public struct SystemNodeClock: NodeClock {
    private let origin: ContinuousClock.Instant

    /// Creates the clock.
    public init() {
        DeterminismGuard.nondeterministicRead("SystemNodeClock.init")
        origin = ContinuousClock.now
    }

    /// `Date()` in microseconds.
    public func wallMicros() -> Int64 {
        DeterminismGuard.nondeterministicRead("SystemNodeClock.wallMicros")
        return Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    /// Time since this clock was created.
    public func monotonicNow() -> MonotonicTime {
        DeterminismGuard.nondeterministicRead("SystemNodeClock.monotonicNow")
        return MonotonicTime(sinceOrigin: ContinuousClock.now - origin)
    }
}
