public import Troupe

/// The order reached its happy end: stock sold, money captured.
///
/// Published by `order` on `PaymentCaptured`; handled by `notification`.
public struct OrderConfirmed: Event, Hashable {
    /// The type name on the wire.
    public static let eventType = "OrderConfirmed"
    /// The order.
    public var orderID: String

    /// Creates the event.
    public init(orderID: String) {
        self.orderID = orderID
    }

    /// The order id.
    public var subject: String { orderID }
}
