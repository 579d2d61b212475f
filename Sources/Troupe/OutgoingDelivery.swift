public import TroupeWire

/// One delivery attempt the node must make: pick a live member of `group` and send it the
/// EVENT frame ``frame``.
public struct OutgoingDelivery: Hashable, Sendable {
    /// The consumer group to deliver to.
    public var group: String
    /// Identifies this attempt; the consumer's ACK or NACK names it.
    public var deliveryID: UInt64
    /// The event, with `attempt` set to this attempt's number (1-based).
    public var envelope: Envelope

    /// Creates a delivery.
    public init(group: String, deliveryID: UInt64, envelope: Envelope) {
        self.group = group
        self.deliveryID = deliveryID
        self.envelope = envelope
    }

    /// The event's id.
    public var eventID: EventID { envelope.eventID }
    /// The attempt number (1 = first delivery).
    public var attempt: UInt32 { envelope.attempt }
    /// The EVENT frame to send.
    public var frame: EventDelivery { EventDelivery(deliveryID: deliveryID, group: group, envelope: envelope) }
}
