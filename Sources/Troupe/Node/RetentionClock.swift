/// The clock idempotency records expire on: it advances with the node's monotonic clock only,
/// so a wall clock that jumps or runs skewed can neither expire a record early nor keep one
/// forever.
///
/// Expiring records by the wall clock (the obvious design) lets a node whose clock jumps ahead
/// by more than the TTL forget every key at once, and the next redelivery is applied twice.
/// Here the TTL is measured in the node's *uptime*:
/// - while the node runs, the retention clock advances exactly as the monotonic clock does;
/// - at start it resumes from the newest record it finds (that record's expiry minus the TTL,
///   i.e. the retention time at which it was written), so time spent down does not count and
///   records live longer across a restart — the safe direction;
/// - only a store with no records at all starts from the wall clock, so the values stay
///   readable as epoch microseconds and databases written by wall-clock expiry carry on.
///
/// The cost of this choice: a node that is down for a long time keeps its keys that much longer
/// (storage, never correctness).
public struct RetentionClock: Sendable, Hashable {
    /// The retention time at `startedAt`.
    public let origin: Int64
    /// The monotonic instant the origin belongs to.
    public let startedAt: MonotonicTime

    /// Resumes the clock of a node whose stored records expire at `expiries`, given the current
    /// TTL and the current readings of the node's clocks.
    public init(resumingFrom expiries: some Sequence<Int64>, ttl: Duration, wallNow: Int64, monotonicNow: MonotonicTime) {
        if let newest = expiries.max() {
            origin = newest - ttl.microseconds
        } else {
            origin = wallNow
        }
        startedAt = monotonicNow
    }

    /// The retention time at `monotonicNow`, in microseconds.
    public func now(at monotonicNow: MonotonicTime) -> Int64 {
        origin + max(.zero, monotonicNow - startedAt).microseconds
    }
}
