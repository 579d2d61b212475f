import NIOPosix
import OrderSaga
import Testing
import Troupe
import TroupeMesh
import TroupeMeshNIO
import TroupeWire
import TroupeTestSupport

@Suite("Order saga end to end over loopback TCP", .serialized)
struct OrderSagaLoopbackTests {
    /// Generous enough that a loaded 2-core machine does not redeliver much; duplicates would
    /// be suppressed anyway.
    static let policy = DeliveryPolicy(
        ackTimeout: .seconds(2), maxDeliveries: 5,
        backoff: RetryBackoff(initialDelay: .milliseconds(50), multiplier: 2, maximumDelay: .milliseconds(500),
                              jitter: .proportional(0.2)),
        retention: .seconds(60)
    )

    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func sixtyOrdersAllEndAndEveryInvariantHolds(duplicatingEveryEvent: Bool) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let world = SagaConfiguration.standard
        let hook: any LinkHook = duplicatingEveryEvent ? DuplicatingHook() : PassThroughLinkHook()
        func start<S: ServiceDefinition>(_ service: S, seeds: [PeerAddress] = []) async throws -> RunningService<S> {
            try await RunningService.start(service, seeds: seeds, hook: hook, on: group, policy: Self.policy)
        }
        let order = try await start(OrderService())
        let inventory = try await start(world.inventoryService(), seeds: [order.address])
        let payment = try await start(world.paymentService(), seeds: [order.address])
        let notification = try await start(NotificationService(), seeds: [order.address])

        // Choreography needs everyone to know who wants what; events published before that are
        // parked and routed later, but waiting makes the run quick and the test's intent plain.
        #expect(await eventually("every publisher knows its consumers") {
            async let placed = order.mesh.matchingGroups(for: probe("OrderPlaced"))
            async let reserved = inventory.mesh.matchingGroups(for: probe("StockReserved"))
            async let captured = payment.mesh.matchingGroups(for: probe("PaymentCaptured"))
            async let ended = order.mesh.matchingGroups(for: probe("OrderConfirmed"))
            async let notified = notification.mesh.matchingGroups(for: probe("CustomerNotified"))
            return await (placed, reserved, captured, ended, notified)
                == (["inventory", "order"], ["payment"], ["inventory", "order"], ["notification"], ["order"])
        })

        var generator = OrderGenerator(seed: 7, configuration: world)
        let placed = generator.orders(60)
        for event in placed { try await order.node.publish(event) }
        let ids = placed.map(\.orderID)

        #expect(await eventually(timeout: .seconds(40), "every order ended and every outbox drained") {
            let book = await order.node.state
            guard ids.allSatisfy({ book.status(of: $0)?.isTerminal == true }) else { return false }
            for depth in [await order.node.statistics.outboxDepth, await inventory.node.statistics.outboxDepth,
                          await payment.node.statistics.outboxDepth, await notification.node.statistics.outboxDepth]
            where depth != 0 { return false }
            return true
        })

        let snapshot = try await SagaSnapshot.capture(
            order: order.node, inventory: inventory.node, payment: payment.node, notification: notification.node,
            placedOrderIDs: ids, initialStock: world.initialStock
        )
        let checker = SagaInvariantChecker()
        let results = checker.check(snapshot)
        #expect(results.failedNames.isEmpty, "\(checker.report(results))")
        #expect(results[.deadLetters]?.counterexamples == [], "nothing was dead-lettered")
        let statuses = ids.compactMap { snapshot.orders.status(of: $0) }
        #expect(statuses.contains(.confirmed) && statuses.contains(.cancelled))
        #expect(ids.allSatisfy { snapshot.orders.orders[$0]?.customerNotified != nil }, "CustomerNotified closed every loop")
        if duplicatingEveryEvent {
            var suppressed = 0
            for count in [await order.node.statistics.duplicatesSuppressed, await inventory.node.statistics.duplicatesSuppressed,
                          await payment.node.statistics.duplicatesSuppressed,
                          await notification.node.statistics.duplicatesSuppressed] { suppressed += count }
            #expect(suppressed > 0, "the copies arrived and were recognised")
        }

        for service in [notification.stop, payment.stop, inventory.stop, order.stop] { await service() }
        try await group.shutdownGracefully()
    }
}
