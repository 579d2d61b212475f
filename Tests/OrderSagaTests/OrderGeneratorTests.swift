import OrderSaga
import Testing

@Suite("Order generator and the default world")
struct OrderGeneratorTests {
    @Test func theSameSeedGivesTheSameOrders() {
        var first = OrderGenerator(seed: 42)
        var second = OrderGenerator(seed: 42)
        var other = OrderGenerator(seed: 43)
        let orders = first.orders(100)
        #expect(orders == second.orders(100))
        #expect(orders != other.orders(100))
    }

    @Test func ordersAreNumberedAndDrawnFromTheWorld() {
        var generator = OrderGenerator(seed: 1)
        let orders = generator.orders(200)
        let world = SagaConfiguration.standard
        #expect(orders.first?.orderID == "order-0001")
        #expect(orders.last?.orderID == "order-0200")
        #expect(OrderGenerator.orderID(12_345) == "order-12345")
        for order in orders {
            let product = world.products.first { $0.sku == order.sku }
            #expect(product != nil && world.customers.contains { $0.customerID == order.customerID })
            #expect((1...world.maximumQuantity).contains(order.quantity))
            #expect(order.amountCents == order.quantity * (product?.unitPriceCents ?? 0))
            #expect(order.subject == order.orderID)
        }
        #expect(Set(orders.map(\.sku)).count == world.products.count)
        #expect(Set(orders.map(\.customerID)).count == world.customers.count)
    }

    @Test(arguments: [1, 7, 42, 2024] as [UInt64])
    func theDefaultWorldEndsOrdersBothWaysThroughBothCancellationPaths(seed: UInt64) {
        var generator = OrderGenerator(seed: seed)
        let (snapshot, paths) = SequentialSaga.run(generator.orders(100), in: .standard)
        let counts = Dictionary(grouping: paths.values, by: { $0 }).mapValues(\.count)
        #expect(counts[.confirmed, default: 0] > 0, "\(counts)")
        #expect(counts[.outOfStock, default: 0] > 0, "\(counts)")
        #expect(counts[.paymentDeclined, default: 0] > 0, "\(counts)")
        let checker = SagaInvariantChecker()
        let results = checker.check(snapshot)
        #expect(results.failedNames.isEmpty, "\(checker.report(results))")
    }
}
