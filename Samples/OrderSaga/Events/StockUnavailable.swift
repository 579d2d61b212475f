public import Troupe

/// Inventory could not reserve the order's units: the first way an order is cancelled.
///
/// Published by `inventory` on `OrderPlaced`; handled by `order`, which cancels the order.
/// Nothing was held, so there is nothing to compensate.
public struct StockUnavailable: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "StockUnavailable"
    /// The order.
    public var orderID: String
    /// What was asked for.
    public var sku: String
    /// How many units were asked for.
    public var quantity: Int

    /// Creates the event.
    public init(orderID: String, sku: String, quantity: Int) {
        self.orderID = orderID
        self.sku = sku
        self.quantity = quantity
    }

    /// The order id.
    public var subject: String { orderID }
}
