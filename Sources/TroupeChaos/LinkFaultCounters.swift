/// What a ``ChaosLinkHook`` has done to frames since it started.
public struct LinkFaultCounters: Codable, Hashable, Sendable {
    /// Data frames dropped by a drop fault.
    public var dropped = 0
    /// Data frames sent twice.
    public var duplicated = 0
    /// Data frames with a byte flipped.
    public var corrupted = 0
    /// Data frames held back (delay, jitter, reorder, bandwidth).
    public var delayed = 0
    /// Data frames queued behind a bandwidth cap.
    public var throttled = 0
    /// Frames of any kind dropped by a partition.
    public var partitioned = 0

    /// All zero.
    public init() {}

    /// Adds `other`'s counts (e.g. to sum over nodes).
    public mutating func add(_ other: LinkFaultCounters) {
        dropped += other.dropped
        duplicated += other.duplicated
        corrupted += other.corrupted
        delayed += other.delayed
        throttled += other.throttled
        partitioned += other.partitioned
    }
}
