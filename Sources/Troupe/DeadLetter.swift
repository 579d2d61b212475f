public import TroupeWire

/// An event given up on for one group: the node records it in its dead-letter queue.
public struct DeadLetter: Hashable, Sendable {
    /// Why the event was given up on. A struct with static members so more can be added.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// Stable name of the reason.
        public let rawValue: String
        /// Wraps a reason name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Every allowed delivery attempt failed (ack timeout or NACK).
        public static let maxDeliveriesExceeded = Reason(rawValue: "maxDeliveriesExceeded")
        /// No live member of the group (or no group at all) for the retention period.
        public static let undeliverable = Reason(rawValue: "undeliverable")

        /// The reason name.
        public var description: String { rawValue }
    }

    /// The event as published (its `attempt` is the last one made, or 1 if none was).
    public var envelope: Envelope
    /// The group it could not be delivered to; empty when no group ever matched (parked).
    public var group: String
    /// Why.
    public var reason: Reason
    /// The most recent failure: a NACK's reason, `ack timeout`, or why there was no route.
    public var lastError: String
    /// Delivery attempts that actually left the node.
    public var attempts: Int
    /// When the first failure happened (for a parked event: when it was parked).
    public var firstFailure: MonotonicTime
    /// When the last failure happened.
    public var lastFailure: MonotonicTime

    /// Creates a dead letter.
    public init(
        envelope: Envelope,
        group: String,
        reason: Reason,
        lastError: String,
        attempts: Int,
        firstFailure: MonotonicTime,
        lastFailure: MonotonicTime
    ) {
        self.envelope = envelope
        self.group = group
        self.reason = reason
        self.lastError = lastError
        self.attempts = attempts
        self.firstFailure = firstFailure
        self.lastFailure = lastFailure
    }

    /// The event's id.
    public var eventID: EventID { envelope.eventID }
}
