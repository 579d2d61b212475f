public import Troupe

/// Inventory gave a reservation back: the compensation has finished.
///
/// Published by `inventory` on `PaymentDeclined`; handled by `order`, which only now cancels the
/// order — so "cancelled" always means "nothing is held for this order any more".
public struct StockReleased: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "StockReleased"
    /// The order.
    public var orderID: String
    /// The SKU given back.
    public var sku: String
    /// The units given back.
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
