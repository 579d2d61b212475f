public import Troupe

/// The order service's state: one record per order it has heard of.
///
/// The rules live here, as plain mutating methods, so the handlers in ``OrderService`` read as
/// pure choreography ("this fact arrived → record it → announce that").
public struct OrderBook: Codable, Sendable, Hashable {
    /// Records by order id.
    public var orders: StateTable<OrderRecord>

    /// Creates a book.
    public init(orders: [String: OrderRecord] = [:]) {
        self.orders = StateTable(orders)
    }

    /// Records a placed order as pending.
    ///
    /// If the order already has a record, a terminal fact overtook `OrderPlaced` (choreography
    /// promises no order across services); the status stays as it is and only the placement
    /// details are filled in.
    public mutating func place(_ order: OrderPlaced, placedAtMicros: Int64) {
        var record = orders[order.orderID] ?? OrderRecord(status: .pending)
        record.customerID = record.customerID ?? order.customerID
        record.placedAtMicros = record.placedAtMicros ?? placedAtMicros
        orders[order.orderID] = record
    }

    /// Ends an order; returns false (and changes nothing) if it had already ended.
    ///
    /// A terminal order never changes again, whatever arrives late or twice. An order we have
    /// never heard of (its `OrderPlaced` is still on its way to us) is recorded directly as
    /// ended, so it cannot stay pending once the late `OrderPlaced` lands.
    public mutating func finish(
        _ orderID: String, as outcome: OrderOutcome, reason: String? = nil, atMicros: Int64
    ) -> Bool {
        var record = orders[orderID] ?? OrderRecord(status: .pending)
        guard !record.status.isTerminal else { return false }
        record.status = OrderStatus(outcome)
        record.reason = reason
        record.terminalAtMicros = atMicros
        orders[orderID] = record
        return true
    }

    /// Notes what the customer was told; false if the order is unknown.
    public mutating func noteCustomerNotified(_ orderID: String, outcome: OrderOutcome) -> Bool {
        guard orders[orderID] != nil else { return false }
        orders[orderID]?.customerNotified = outcome
        return true
    }

    /// The status of an order; nil if the service has never heard of it.
    public func status(of orderID: String) -> OrderStatus? {
        orders[orderID]?.status
    }
}
