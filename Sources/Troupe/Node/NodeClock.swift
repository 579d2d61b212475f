import Foundation

/// Where a node reads time: wall-clock microseconds (persisted: publish times, idempotency
/// expiry, dead-letter times) and a monotonic instant (timers, timeouts).
///
/// Injected so a simulator can run nodes on a virtual clock and chaos can skew one node's wall
/// clock. Idempotency expiry does not read the wall clock at all: it runs on a
/// ``RetentionClock`` driven by the monotonic clock, so no skew can expire a record early.
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
