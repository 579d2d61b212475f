/// Counters kept by the ``DeliveryStateMachine`` for metrics and tests.
public struct DeliveryStatistics: Hashable, Sendable {
    /// EVENT sends handed to the node (first deliveries, redeliveries and route retries).
    public var sends = 0
    /// Attempts after the first (ack timeout or NACK), not counting route retries.
    public var redeliveries = 0
    /// ACKed delivery ids that named no live series (duplicates, after dead-lettering, bogus).
    public var unknownAcks = 0
    /// NACKs ignored because they named no live series or an attempt already given up on.
    public var ignoredNacks = 0
    /// Send failures ignored because they named no attempt in flight.
    public var ignoredSendFailures = 0
    /// Series ended by an ACK.
    public var acknowledged = 0
    /// Series (or parked events) dead-lettered.
    public var deadLettered = 0
    /// Events whose every group finished.
    public var completedEvents = 0

    /// All zero.
    public init() {}
}
