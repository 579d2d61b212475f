public import Troupe

/// The customer was told how their order ended.
///
/// Published by `notification`; handled by `order`, which notes it on the order's record.
/// That consumer matters: an event no group subscribes to is not dropped — it waits, parked in
/// the publisher's outbox, and is dead-lettered as undeliverable when its retention runs out.
/// Every fact in a choreography should have someone who wants it.
public struct CustomerNotified: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "CustomerNotified"
    /// The order.
    public var orderID: String
    /// What the customer was told.
    public var outcome: OrderOutcome

    /// Creates the event.
    public init(orderID: String, outcome: OrderOutcome) {
        self.orderID = orderID
        self.outcome = outcome
    }

    /// The order id.
    public var subject: String { orderID }
}
