public import Troupe

/// `order`: owns the order's lifecycle — pending, then confirmed or cancelled, exactly once.
///
/// There is no orchestrator telling the others what to do. The order node only *announces*
/// `OrderPlaced` (the CLI or ingress calls `node.publish(OrderPlaced(...))`) and then
/// listens: whatever the other services conclude reaches it as facts, and it turns the decisive
/// ones into its own terminal facts, `OrderConfirmed` or `OrderCancelled`.
public struct OrderService: ServiceDefinition {
    /// The service name, which is also its consumer group.
    public static let name = "order"

    /// Creates the service.
    public init() {}

    /// No orders yet.
    public func initialState() -> OrderBook { OrderBook() }

    /// Registers the handlers.
    public func handlers(_ on: inout HandlerSet<OrderBook>) {
        // The order node publishes OrderPlaced and also consumes it, like any other subscriber.
        // The record of an order is a fact this service reacts to like everyone else: state
        // changes only in handlers, committed atomically with their idempotency record, so a
        // `publish` from outside never has a second, unguarded path into the state.
        on.event(OrderPlaced.self) { placed, book, context in
            book.place(placed, placedAtMicros: context.envelope.occurredAtMicros)
        }

        // Cancellation path 1: nothing was reserved, so nothing needs undoing. This may reach us
        // before our own OrderPlaced does; `finish` then records the order as cancelled anyway.
        on.event(StockUnavailable.self) { unavailable, book, context in
            let reason = "out of stock: \(unavailable.quantity) × \(unavailable.sku)"
            if book.finish(unavailable.orderID, as: .cancelled, reason: reason, atMicros: context.nowMicros) {
                context.publish(OrderCancelled(orderID: unavailable.orderID, reason: reason))
            }
        }

        // `finish` returns false for an order that has already ended: a late or duplicated
        // fact changes nothing and announces nothing.
        on.event(PaymentCaptured.self) { captured, book, context in
            if book.finish(captured.orderID, as: .confirmed, atMicros: context.nowMicros) {
                context.publish(OrderConfirmed(orderID: captured.orderID))
            }
        }

        // Cancellation path 2: we do NOT cancel on PaymentDeclined. Inventory still holds the
        // stock then; we wait for StockReleased, the fact that the compensation finished.
        on.event(StockReleased.self) { released, book, context in
            let reason = "payment declined; \(released.quantity) × \(released.sku) released"
            if book.finish(released.orderID, as: .cancelled, reason: reason, atMicros: context.nowMicros) {
                context.publish(OrderCancelled(orderID: released.orderID, reason: reason))
            }
        }

        on.event(CustomerNotified.self) { notified, book, context in
            if !book.noteCustomerNotified(notified.orderID, outcome: notified.outcome) {
                context.logger.warning("customer notified about an unknown order \(notified.orderID)")
            }
        }
    }
}
