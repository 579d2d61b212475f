public import Troupe

/// `payment`: captures the order's amount when stock is reserved, or declines it.
///
/// The rule is deterministic — capture if the amount is within the customer's credit limit —
/// so a demo with a fixed world and seed exercises both the happy path and the compensation
/// every time.
public struct PaymentService: ServiceDefinition {
    /// The service name, which is also its consumer group.
    public static let name = "payment"

    /// The largest order each known customer may pay for, in cents.
    public let creditLimitCents: [String: Int]
    /// The limit of customers not listed, in cents.
    public let defaultLimitCents: Int

    /// Creates the service with its customers' credit limits.
    public init(creditLimitCents: [String: Int], defaultLimitCents: Int) {
        self.creditLimitCents = creditLimitCents
        self.defaultLimitCents = defaultLimitCents
    }

    /// The limit that applies to `customerID`, in cents.
    public func limitCents(for customerID: String) -> Int {
        creditLimitCents[customerID] ?? defaultLimitCents
    }

    /// Nothing captured or declined yet.
    public func initialState() -> PaymentLedger { PaymentLedger() }

    /// Registers the handler.
    public func handlers(_ on: inout HandlerSet<PaymentLedger>) {
        on.event(StockReserved.self) { [self] reserved, ledger, context in
            // Two layers of idempotency. The runtime drops a redelivery of this very event (same
            // event id) before we run. The ledger check covers the same order reaching us as a
            // *different* event: money must never be taken twice.
            guard !ledger.hasDecided(reserved.orderID) else {
                context.logger.notice("payment for \(reserved.orderID) was already decided; ignoring it")
                return
            }
            let limit = limitCents(for: reserved.customerID)
            if reserved.amountCents <= limit {
                ledger.recordCapture(orderID: reserved.orderID, amountCents: reserved.amountCents)
                context.publish(PaymentCaptured(orderID: reserved.orderID, customerID: reserved.customerID,
                                                amountCents: reserved.amountCents))
            } else {
                let reason = "\(formattedCents(reserved.amountCents)) exceeds the credit limit "
                    + "\(formattedCents(limit)) of \(reserved.customerID)"
                ledger.recordDecline(orderID: reserved.orderID, amountCents: reserved.amountCents, reason: reason)
                context.publish(PaymentDeclined(orderID: reserved.orderID, customerID: reserved.customerID,
                                                sku: reserved.sku, quantity: reserved.quantity, reason: reason))
            }
        }
    }
}
