public import Troupe

/// `notification`: tells the customer, once, how their order ended.
///
/// This service shows the runtime's *payload-derived idempotency key*. By default a duplicate
/// is recognised by its event id, which protects against redelivery of the same event. Here
/// the key is the order id instead, so the same terminal fact published again as a *new* event
/// (a re-publish after an operator's fix, a replay with fresh ids) is also acknowledged without
/// running the handler: one message per order, with no bookkeeping in the handler itself.
///
/// The runtime prefixes the key with the event type, so `OrderConfirmed` and `OrderCancelled`
/// for the same order have different keys. Both arriving would mean the order service broke
/// its own rule; the log then counts two messages and the invariant checker reports it.
public struct NotificationService: ServiceDefinition {
    /// The service name, which is also its consumer group.
    public static let name = "notification"

    /// Creates the service.
    public init() {}

    /// Nobody told anything yet.
    public func initialState() -> NotificationLog { NotificationLog() }

    /// Registers the handlers.
    public func handlers(_ on: inout HandlerSet<NotificationLog>) {
        on.event(OrderConfirmed.self, idempotencyKey: { $0.orderID }) { confirmed, log, context in
            Self.notify(confirmed.orderID, .confirmed, &log, &context)
        }
        on.event(OrderCancelled.self, idempotencyKey: { $0.orderID }) { cancelled, log, context in
            Self.notify(cancelled.orderID, .cancelled, &log, &context)
        }
    }

    private static func notify(_ orderID: String, _ outcome: OrderOutcome, _ log: inout NotificationLog,
                               _ context: inout HandlerContext) {
        log.record(orderID: orderID, outcome: outcome)
        // A real service would send the e-mail in `context.afterCommit { ... }`: it runs only
        // after this record committed, so a handler that fails and is retried sends nothing.
        context.publish(CustomerNotified(orderID: orderID, outcome: outcome))
    }
}
