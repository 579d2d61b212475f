import OrderSaga

/// Hand-made snapshots for the checker tests.
enum SagaFixtures {
    /// A consistent world after three orders, one per path:
    /// - order-0001: 2 × widget reserved, captured, sold → confirmed;
    /// - order-0002: 3 × gizmo, only 1 in stock → StockUnavailable → cancelled;
    /// - order-0003: 1 × gadget reserved, payment declined, released → cancelled.
    static func consistent() -> SagaSnapshot {
        SagaSnapshot(
            placedOrderIDs: ["order-0001", "order-0002", "order-0003"],
            initialStock: ["widget": 10, "gizmo": 1, "gadget": 5],
            orders: OrderBook(orders: [
                "order-0001": OrderRecord(status: .confirmed, customerID: "ada", placedAtMicros: 1, terminalAtMicros: 2,
                                          customerNotified: .confirmed),
                "order-0002": OrderRecord(status: .cancelled, customerID: "ada", reason: "out of stock",
                                          placedAtMicros: 1, terminalAtMicros: 2, customerNotified: .cancelled),
                "order-0003": OrderRecord(status: .cancelled, customerID: "margaret", reason: "payment declined",
                                          placedAtMicros: 1, terminalAtMicros: 2, customerNotified: .cancelled),
            ]),
            inventory: StockLedger(
                available: ["widget": 8, "gizmo": 1, "gadget": 5],
                allocations: [
                    "order-0001": StockAllocation(sku: "widget", quantity: 2, status: .sold),
                    "order-0002": StockAllocation(sku: "gizmo", quantity: 3, status: .refused),
                    "order-0003": StockAllocation(sku: "gadget", quantity: 1, status: .released),
                ],
                sold: ["widget": 2]
            ),
            payments: PaymentLedger(
                captures: ["order-0001": .init(count: 1, amountCents: 2_500)],
                declines: ["order-0003": .init(count: 1, amountCents: 9_000, reason: "over the limit")]
            ),
            notifications: NotificationLog(notifications: [
                "order-0001": .init(count: 1, outcome: .confirmed),
                "order-0002": .init(count: 1, outcome: .cancelled),
                "order-0003": .init(count: 1, outcome: .cancelled),
            ]),
            nodes: ["order", "inventory", "payment", "notification"].map {
                NodeDeliveryStatus(nodeID: $0, outboxDepth: 0, deadLetterCount: 0)
            }
        )
    }
}

extension [InvariantResult] {
    /// The result of one invariant.
    subscript(_ invariant: SagaInvariant) -> InvariantResult? {
        first { $0.name == invariant.rawValue }
    }

    /// The invariants that failed.
    var failedNames: Set<String> { Set(filter { !$0.passed }.map(\.name)) }
}
