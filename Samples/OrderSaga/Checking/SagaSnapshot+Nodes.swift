public import Troupe

extension SagaSnapshot {
    /// Captures a snapshot from the four nodes of an in-process run.
    ///
    /// The nodes are read one after another, not atomically; take the snapshot once the run is
    /// quiet (every order ended, every outbox empty) or treat the result as approximate.
    public static func capture(
        order: Node<OrderService>, inventory: Node<InventoryService>, payment: Node<PaymentService>,
        notification: Node<NotificationService>, placedOrderIDs: [String], initialStock: [String: Int]
    ) async throws -> SagaSnapshot {
        SagaSnapshot(
            placedOrderIDs: placedOrderIDs, initialStock: initialStock,
            orders: await order.state, inventory: await inventory.state,
            payments: await payment.state, notifications: await notification.state,
            nodes: [
                try await deliveryStatus(of: order), try await deliveryStatus(of: inventory),
                try await deliveryStatus(of: payment), try await deliveryStatus(of: notification),
            ]
        )
    }

    /// One node's outbox depth and dead-letter count.
    public static func deliveryStatus<S: ServiceDefinition>(of node: Node<S>) async throws -> NodeDeliveryStatus {
        let deadLetters = try await node.deadLetters().count
        return NodeDeliveryStatus(nodeID: node.identity.nodeID, outboxDepth: await node.statistics.outboxDepth,
                                  deadLetterCount: deadLetters)
    }
}
