public import Troupe

/// Payment took the customer's money: the happy path's decisive fact.
///
/// Published by `payment` on `StockReserved`; handled by `inventory` (the reservation becomes
/// a sale) and by `order` (the order is confirmed). Two services react to one fact, and neither
/// knows about the other.
public struct PaymentCaptured: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "PaymentCaptured"
    /// The order.
    public var orderID: String
    /// Who paid.
    public var customerID: String
    /// How much was captured, in cents.
    public var amountCents: Int

    /// Creates the event.
    public init(orderID: String, customerID: String, amountCents: Int) {
        self.orderID = orderID
        self.customerID = customerID
        self.amountCents = amountCents
    }

    /// The order id.
    public var subject: String { orderID }
}
