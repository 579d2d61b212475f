public import TroupeWire

/// What the ``DeliveryStateMachine`` asks the node to do, in order. The node decides nothing.
public enum DeliveryAction: Hashable, Sendable {
    /// Ask the mesh for a live member of the group and send the EVENT. If there is none (or the
    /// link refuses it), report ``DeliveryStateMachine/sendFailed(deliveryID:reason:now:)``.
    case send(OutgoingDelivery)
    /// Persist that `group` has acknowledged `eventID` (so a restart does not resend to it).
    case recordAcknowledged(eventID: EventID, group: String)
    /// Store this entry in the dead-letter queue; the group is done with the event.
    case deadLetter(DeadLetter)
    /// Every target group acknowledged or dead-lettered the event: delete it from the outbox.
    case completeEvent(EventID)
}
