public import Troupe

/// A customer placed an order: the fact that starts the saga.
///
/// Published by the order node from outside any handler (the CLI or the HTTP ingress calls
/// `node.publish(OrderPlaced(...))`), so it starts a new correlation that every later event of
/// this order carries. Handled by `inventory` (reserve stock) and by `order` itself (record the
/// order as pending).
public struct OrderPlaced: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "OrderPlaced"
    /// The order's id, e.g. `order-0001`; the subject of every event of the saga.
    public var orderID: String
    /// Who ordered.
    public var customerID: String
    /// What was ordered.
    public var sku: String
    /// How many units.
    public var quantity: Int
    /// The price of the whole order, in cents.
    public var amountCents: Int

    /// Creates the event.
    public init(orderID: String, customerID: String, sku: String, quantity: Int, amountCents: Int) {
        self.orderID = orderID
        self.customerID = customerID
        self.sku = sku
        self.quantity = quantity
        self.amountCents = amountCents
    }

    /// The order id.
    public var subject: String { orderID }
}
