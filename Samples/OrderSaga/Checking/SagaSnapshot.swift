/// Everything the invariant checker looks at, taken after a run: the four services' states,
/// which orders were placed, the world's starting stock, and each node's delivery bookkeeping.
///
/// It is plain data (Codable): capture it from in-process nodes with
/// ``capture(order:inventory:payment:notification:placedOrderIDs:initialStock:)``, or assemble
/// it from the `state` and `stats` CONTROL replies of remote ones; save it; check it later.
public struct SagaSnapshot: Codable, Sendable, Hashable {
    /// The ids of the orders placed, in placement order.
    public var placedOrderIDs: [String]
    /// Units on hand at the start, by SKU.
    public var initialStock: [String: Int]
    /// The order service's state.
    public var orders: OrderBook
    /// The inventory service's state.
    public var inventory: StockLedger
    /// The payment service's state.
    public var payments: PaymentLedger
    /// The notification service's state.
    public var notifications: NotificationLog
    /// Delivery bookkeeping of every node in the run.
    public var nodes: [NodeDeliveryStatus]

    /// Creates a snapshot.
    public init(
        placedOrderIDs: [String], initialStock: [String: Int], orders: OrderBook, inventory: StockLedger,
        payments: PaymentLedger, notifications: NotificationLog, nodes: [NodeDeliveryStatus]
    ) {
        self.placedOrderIDs = placedOrderIDs
        self.initialStock = initialStock
        self.orders = orders
        self.inventory = inventory
        self.payments = payments
        self.notifications = notifications
        self.nodes = nodes
    }

    /// Every order id any part of the snapshot mentions: the placed ones first, in placement
    /// order, then any others, sorted.
    public var mentionedOrderIDs: [String] {
        let placed = Set(placedOrderIDs)
        var others = Set(orders.orders.keys).union(inventory.allocations.keys).union(payments.captures.keys)
        others.formUnion(payments.declines.keys)
        others.formUnion(notifications.notifications.keys)
        return placedOrderIDs + others.subtracting(placed).sorted()
    }
}
