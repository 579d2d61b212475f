public import Troupe

/// The order reached its unhappy end; nothing is held or charged for it.
///
/// Published by `order` on `StockUnavailable` or on `StockReleased` (after the compensation);
/// handled by `notification`.
public struct OrderCancelled: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "OrderCancelled"
    /// The order.
    public var orderID: String
    /// Why, in words.
    public var reason: String

    /// Creates the event.
    public init(orderID: String, reason: String) {
        self.orderID = orderID
        self.reason = reason
    }

    /// The order id.
    public var subject: String { orderID }
}
