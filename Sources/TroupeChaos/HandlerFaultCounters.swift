/// What a ``HandlerFaultInjector`` has done to deliveries since it started.
public struct HandlerFaultCounters: Codable, Hashable, Sendable {
    /// Deliveries failed on purpose (NACKed).
    public var failed = 0
    /// Deliveries held back by a slow-handler fault.
    public var slowed = 0
    /// Deliveries that waited for a pause to end.
    public var pausedDeliveries = 0

    /// All zero.
    public init() {}

    /// Adds `other`'s counts (e.g. to sum over nodes).
    public mutating func add(_ other: HandlerFaultCounters) {
        failed += other.failed
        slowed += other.slowed
        pausedDeliveries += other.pausedDeliveries
    }
}
