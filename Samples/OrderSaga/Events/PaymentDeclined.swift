public import Troupe

/// Payment refused the order: stock is already held, so the saga must compensate.
///
/// Published by `payment` on `StockReserved`; handled by `inventory`, which undoes its own
/// earlier step (releases the reservation) and says so with `StockReleased`. It carries the
/// SKU and quantity so the compensation is self-describing.
public struct PaymentDeclined: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "PaymentDeclined"
    /// The order.
    public var orderID: String
    /// Who was refused.
    public var customerID: String
    /// The reserved SKU to give back.
    public var sku: String
    /// The reserved units to give back.
    public var quantity: Int
    /// Why, in words (shown to operators; the customer is told by `notification`).
    public var reason: String

    /// Creates the event.
    public init(orderID: String, customerID: String, sku: String, quantity: Int, reason: String) {
        self.orderID = orderID
        self.customerID = customerID
        self.sku = sku
        self.quantity = quantity
        self.reason = reason
    }

    /// The order id.
    public var subject: String { orderID }
}
