import OrderSaga

/// The saga's rules applied one order at a time, in placement order, on the services' own state
/// types: the fault-free serialisation of a run, used to check what a world and seed produce.
enum SequentialSaga {
    /// How one order ended.
    enum Path: Hashable {
        case confirmed, outOfStock, paymentDeclined
    }

    static func run(_ placed: [OrderPlaced], in world: SagaConfiguration) -> (snapshot: SagaSnapshot, paths: [String: Path]) {
        let payment = world.paymentService()
        var orders = OrderBook()
        var stock = world.inventoryService().initialState()
        var payments = PaymentLedger()
        var notifications = NotificationLog()
        var paths: [String: Path] = [:]
        for (index, order) in placed.enumerated() {
            let now = Int64(index)
            orders.place(order, placedAtMicros: now)
            let outcome: OrderOutcome
            if stock.reserve(orderID: order.orderID, sku: order.sku, quantity: order.quantity) == .reserved {
                if order.amountCents <= payment.limitCents(for: order.customerID) {
                    payments.recordCapture(orderID: order.orderID, amountCents: order.amountCents)
                    _ = stock.sell(orderID: order.orderID)
                    outcome = .confirmed
                    paths[order.orderID] = .confirmed
                } else {
                    payments.recordDecline(orderID: order.orderID, amountCents: order.amountCents, reason: "over the limit")
                    _ = stock.release(orderID: order.orderID)
                    outcome = .cancelled
                    paths[order.orderID] = .paymentDeclined
                }
            } else {
                outcome = .cancelled
                paths[order.orderID] = .outOfStock
            }
            _ = orders.finish(order.orderID, as: outcome, atMicros: now)
            notifications.record(orderID: order.orderID, outcome: outcome)
            _ = orders.noteCustomerNotified(order.orderID, outcome: outcome)
        }
        let snapshot = SagaSnapshot(
            placedOrderIDs: placed.map(\.orderID), initialStock: world.initialStock, orders: orders, inventory: stock,
            payments: payments, notifications: notifications,
            nodes: [NodeDeliveryStatus(nodeID: "sequential", outboxDepth: 0, deadLetterCount: 0)]
        )
        return (snapshot, paths)
    }
}
