/// How one consumer group's deliveries are retried, bounded and ordered.
///
/// The node keeps one per group (``DeliveryStateMachine/setPolicy(_:forGroup:)``); a delivery
/// series takes a snapshot of its group's policy when it starts.
public struct DeliveryPolicy: Hashable, Sendable {
    /// Time a delivery may stay unacknowledged before it is redelivered (SQS visibility timeout).
    public var ackTimeout: Duration
    /// Delivery attempts before the event is dead-lettered for this group (≥ 1).
    public var maxDeliveries: Int
    /// Wait before each redelivery (after an ack timeout or a NACK) and each route retry.
    public var backoff: RetryBackoff
    /// How long an event may find no live member of the group (or, parked, no group at all)
    /// before it is dead-lettered as undeliverable.
    public var retention: Duration
    /// Events with the same non-empty subject go to the group one at a time, in publish order.
    public var orderedBySubject: Bool

    /// 5 s ack timeout, 5 deliveries, default backoff, 1 h retention, unordered.
    public static let `default` = DeliveryPolicy()

    /// Creates a policy.
    public init(
        ackTimeout: Duration = .seconds(5),
        maxDeliveries: Int = 5,
        backoff: RetryBackoff = .default,
        retention: Duration = .seconds(3600),
        orderedBySubject: Bool = false
    ) {
        precondition(ackTimeout > .zero, "ackTimeout must be positive")
        precondition(maxDeliveries >= 1, "maxDeliveries must be at least 1")
        precondition(retention > .zero, "retention must be positive")
        self.ackTimeout = ackTimeout
        self.maxDeliveries = maxDeliveries
        self.backoff = backoff
        self.retention = retention
        self.orderedBySubject = orderedBySubject
    }
}
