/// EVENT: one delivery of one event to one consumer group on the receiving node.
public struct EventDelivery: Hashable, Sendable {
    /// Chosen by the sender, unique among its outstanding deliveries; ACK and NACK name it.
    public var deliveryID: UInt64
    /// The group the delivery is for.
    public var group: String
    /// The event.
    public var envelope: Envelope

    /// Creates an EVENT.
    public init(deliveryID: UInt64, group: String, envelope: Envelope) {
        self.deliveryID = deliveryID
        self.group = group
        self.envelope = envelope
    }
}
