public import TroupeWire

/// The delivery state machine is at its bound and refused a new event (named overflow
/// behaviour: *refuse and keep in the outbox*).
///
/// Nothing is lost: the event stays in the node's outbox, and the node offers it again when
/// capacity frees up (after a ``DeliveryAction/completeEvent(_:)``, or when
/// ``DeliveryStateMachine/availableSeriesCapacity`` allows).
public struct DeliveryOverflowError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The refused event.
    public var eventID: EventID
    /// Live series (or parked slots) the event needed.
    public var needed: Int
    /// Live series (or parked slots) still free.
    public var available: Int

    /// Creates an error.
    public init(eventID: EventID, needed: Int, available: Int) {
        self.eventID = eventID
        self.needed = needed
        self.available = available
    }

    /// One line for logs.
    public var description: String {
        "delivery overflow: event \(eventID) needs \(needed) slot(s), \(available) free"
    }
}
