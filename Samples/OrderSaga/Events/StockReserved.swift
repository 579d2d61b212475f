public import Troupe

/// Inventory set the order's units aside; they are held until payment says what happens next.
///
/// Published by `inventory` on `OrderPlaced`; handled by `payment`. It repeats the order's
/// details (customer, amount) so that payment can decide without asking anyone — in a
/// choreography every event carries what its consumers need.
public struct StockReserved: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "StockReserved"
    /// The order.
    public var orderID: String
    /// Who ordered.
    public var customerID: String
    /// What was reserved.
    public var sku: String
    /// How many units were reserved.
    public var quantity: Int
    /// The amount payment should capture, in cents.
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
