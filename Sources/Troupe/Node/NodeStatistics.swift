/// Counters a node keeps about its own work (also exported through swift-metrics).
public struct NodeStatistics: Hashable, Sendable, Codable {
    /// Events this node published (from handlers and from outside).
    public var published = 0
    /// Event deliveries received for this node's groups.
    public var delivered = 0
    /// Deliveries handled successfully and committed.
    public var handled = 0
    /// Deliveries recognised as duplicates by the idempotency store and acked without re-running.
    public var duplicatesSuppressed = 0
    /// Handler failures (NACKed).
    public var handlerFailures = 0
    /// Acks received for this node's deliveries.
    public var acked = 0
    /// Redeliveries sent (attempt > 1).
    public var redelivered = 0
    /// Events dead-lettered by this node (as publisher).
    public var deadLettered = 0
    /// Events currently in the outbox (published, not finished by every group).
    public var outboxDepth = 0
    /// Entries currently in the dead-letter queue.
    public var deadLetterDepth = 0

    /// All zero.
    public init() {}
}
