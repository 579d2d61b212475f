public import Troupe

/// `inventory`: reserves stock for new orders, sells it when paid, and releases it when
/// payment is declined — the saga's compensating step.
///
/// A saga has no distributed transaction to roll back. Each service commits its own step at
/// once and, if a later step fails, performs a *compensation*: a new forward action that undoes
/// the business effect (here, releasing a reservation) and is announced like any other fact.
public struct InventoryService: ServiceDefinition {
    /// The service name, which is also its consumer group.
    public static let name = "inventory"

    /// Units on hand at the start, by SKU.
    public let initialStock: [String: Int]

    /// Creates the service with its starting stock.
    public init(initialStock: [String: Int]) {
        self.initialStock = initialStock
    }

    /// Everything available, nothing reserved or sold.
    public func initialState() -> StockLedger { StockLedger(available: initialStock) }

    /// Registers the handlers.
    public func handlers(_ on: inout HandlerSet<StockLedger>) {
        // The runtime already recognises a redelivered OrderPlaced by its event id; the ledger
        // also refuses to decide the same order twice (see `reserve`).
        on.event(OrderPlaced.self) { order, ledger, context in
            switch ledger.reserve(orderID: order.orderID, sku: order.sku, quantity: order.quantity) {
            case .reserved:
                context.publish(StockReserved(orderID: order.orderID, customerID: order.customerID, sku: order.sku,
                                              quantity: order.quantity, amountCents: order.amountCents))
            case .refused:
                context.publish(StockUnavailable(orderID: order.orderID, sku: order.sku, quantity: order.quantity))
            case .sold, .released, nil:
                context.logger.notice("order \(order.orderID) was already decided; ignoring it")
            }
        }

        on.event(PaymentCaptured.self) { captured, ledger, context in
            if !ledger.sell(orderID: captured.orderID) {
                context.logger.warning("payment captured for \(captured.orderID), which holds no reservation")
            }
        }

        // The compensation: undo our own earlier step, then say so. Order waits for this fact
        // before it cancels.
        on.event(PaymentDeclined.self) { declined, ledger, context in
            if let released = ledger.release(orderID: declined.orderID) {
                context.publish(StockReleased(orderID: declined.orderID, sku: released.sku, quantity: released.quantity))
            } else {
                context.logger.warning("payment declined for \(declined.orderID), which holds no reservation")
            }
        }
    }
}
