/// A point on a monotonic time line whose origin is arbitrary (process start, simulation start).
///
/// The runtime's pure state machines never read a clock: the node passes `now` in as one of
/// these. A real node builds it from `ContinuousClock` or `NIODeadline.uptimeNanoseconds`, a
/// simulation from its virtual clock. Only differences between two instants mean anything, so
/// values must not be persisted across a restart (see ``OutboxEntry/age``).
public struct MonotonicTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Time elapsed since the origin of this time line (may be negative).
    public var sinceOrigin: Duration

    /// The origin itself.
    public static let zero = MonotonicTime(sinceOrigin: .zero)

    /// Wraps a duration since the origin.
    public init(sinceOrigin: Duration) { self.sinceOrigin = sinceOrigin }

    /// Wraps a count of nanoseconds since the origin (e.g. `NIODeadline.uptimeNanoseconds`).
    public init(nanoseconds: Int64) { self.sinceOrigin = .nanoseconds(nanoseconds) }

    /// The instant `duration` after the origin; convenient in tests (`.at(.seconds(3))`).
    public static func at(_ duration: Duration) -> MonotonicTime { MonotonicTime(sinceOrigin: duration) }

    /// The instant `rhs` after `lhs`.
    public static func + (lhs: MonotonicTime, rhs: Duration) -> MonotonicTime {
        MonotonicTime(sinceOrigin: lhs.sinceOrigin + rhs)
    }

    /// The instant `rhs` before `lhs`.
    public static func - (lhs: MonotonicTime, rhs: Duration) -> MonotonicTime {
        MonotonicTime(sinceOrigin: lhs.sinceOrigin - rhs)
    }

    /// The time from `rhs` to `lhs`.
    public static func - (lhs: MonotonicTime, rhs: MonotonicTime) -> Duration {
        lhs.sinceOrigin - rhs.sinceOrigin
    }

    /// Whether `lhs` comes before `rhs`.
    public static func < (lhs: MonotonicTime, rhs: MonotonicTime) -> Bool {
        lhs.sinceOrigin < rhs.sinceOrigin
    }

    /// `t+` and the duration since the origin.
    public var description: String { "t+\(sinceOrigin)" }
}
