public import OrderSaga
import Troupe
public import TroupeSimulation

/// The order saga as a simulation workload: the four services of `Samples/OrderSaga`, one node
/// each, exactly as `troupe demo` hosts them over TCP; orders from the sample's own
/// ``OrderGenerator``; the sample's own ``SagaInvariantChecker`` as the judge.
public struct SagaWorkload: SimulationWorkload {
    /// The world (stock, prices, credit limits).
    public let world: SagaConfiguration
    /// The orders placed, in order.
    public let orders: [OrderPlaced]

    /// The node ids, one per service.
    public static let orderNode = "order-1"
    /// See ``orderNode``.
    public static let inventoryNode = "inventory-1"
    /// See ``orderNode``.
    public static let paymentNode = "payment-1"
    /// See ``orderNode``.
    public static let notificationNode = "notification-1"

    /// A workload placing `orders` orders drawn from `seed` in `world`.
    public init(orders: Int, seed: UInt64, world: SagaConfiguration = .standard) {
        self.world = world
        var generator = OrderGenerator(seed: seed, configuration: world)
        self.orders = generator.orders(orders)
    }

    /// The saga's services.
    public static let services = [OrderService.name, InventoryService.name, PaymentService.name, NotificationService.name]

    /// Order, inventory, payment, notification.
    public var nodes: [SimulatedNodeSpec] {
        [
            .hosting(OrderService(), nodeID: Self.orderNode),
            .hosting(world.inventoryService(), nodeID: Self.inventoryNode),
            .hosting(world.paymentService(), nodeID: Self.paymentNode),
            .hosting(NotificationService(), nodeID: Self.notificationNode),
        ]
    }

    /// One injection per order.
    public var injectionCount: Int { orders.count }

    /// Places order `index` through the order node, as `troupe demo` does.
    public func inject(_ index: Int, into nodes: SimulatedNodes) async throws -> String? {
        guard let node = nodes.node(Self.orderNode, hosting: OrderService.self) else { return nil }
        let order = orders[index]
        let envelope = try await node.publish(order)
        return "\(order.orderID) \(order.customerID) \(order.quantity) × \(order.sku) (\(envelope.type) \(envelope.eventID))"
    }

    /// Captures the saga's snapshot from the four nodes and runs the invariant checker.
    public func check(_ nodes: SimulatedNodes) async throws -> SimulationVerdict {
        guard let order = nodes.node(Self.orderNode, hosting: OrderService.self),
              let inventory = nodes.node(Self.inventoryNode, hosting: InventoryService.self),
              let payment = nodes.node(Self.paymentNode, hosting: PaymentService.self),
              let notification = nodes.node(Self.notificationNode, hosting: NotificationService.self)
        else {
            let down = [Self.orderNode, Self.inventoryNode, Self.paymentNode, Self.notificationNode].filter { nodes.handles[$0] == nil }
            let message = "node(s) down at the end of the run: \(down.joined(separator: ", "))"
            return SimulationVerdict(passed: false, report: "✘ \(message)", counterexamples: [message])
        }
        let snapshot = try await SagaSnapshot.capture(
            order: order, inventory: inventory, payment: payment, notification: notification,
            placedOrderIDs: orders.map(\.orderID), initialStock: world.initialStock
        )
        let checker = SagaInvariantChecker()
        let results = checker.check(snapshot)
        let failed = results.filter { !$0.passed }
        return SimulationVerdict(
            passed: failed.isEmpty, report: checker.report(results),
            counterexamples: failed.flatMap { result in result.counterexamples.map { "\(result.name): \($0)" } }
        )
    }
}
