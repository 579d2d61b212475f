import Foundation
import OrderSaga
import Testing
import Troupe
import TroupeTestSupport

/// Crash safety with real processes and SQLite stores (DESIGN.md §3): a handled event's state
/// change, published events and idempotency record commit together, so a SIGKILL anywhere
/// neither loses work nor applies it twice.
@Suite("Crash safety (multi-process)", .serialized)
struct CrashSafetyTests {
    @Test func aConsumerKilledBetweenCommitAndAckDoesNotApplyTheEventTwice() async throws {
        let cluster = try SagaCluster()
        do {
            for service in ["order", "inventory", "notification"] { try await cluster.start(service) }
            // Payment kills itself (SIGKILL) right after its 5th handled event committed,
            // before the ack for it leaves the process.
            try await cluster.start("payment", extra: ["--crash-after-handled", "5"])
            #expect(await eventually(timeout: processPatience, every: processPoll, "the mesh is up") { await cluster.meshIsUp() })

            var generator = OrderGenerator(seed: 11)
            let orders = generator.orders(30)
            for order in orders { try await cluster.place(order) }
            let payment = try #require(cluster.child("payment"))
            #expect(await payment.waitForExit(timeout: .seconds(90)), "the fault killed payment")
            #expect(payment.terminationReason == .uncaughtSignal && payment.status == SIGKILL)
            #expect(payment.stderr.contains("crashing after committing"))

            // Restart with the same data directory and port, without the fault.
            try await cluster.start("payment")
            let placed = orders.map(\.orderID)
            #expect(await eventually(timeout: processPatience, every: processPoll, "every order settles") { await cluster.settled(placed) })

            let snapshot = try await cluster.snapshot(placed: placed)
            let results = SagaInvariantChecker().check(snapshot)
            #expect(results.allSatisfy { $0.passed }, "\(SagaInvariantChecker().report(results))")
            #expect(snapshot.payments.captures.values.allSatisfy { $0.count <= 1 }, "never captured twice")
            let restarted = try #require(await cluster.stats("payment"))
            #expect(restarted.statistics.duplicatesSuppressed >= 1,
                    "the event whose ack was lost came back and was recognised as a duplicate")
        } catch {
            Issue.record("\(error)")
        }
        await cluster.stopAll()
    }

    @Test func aPublisherKilledBeforeAllAcksResendsAfterRestart() async throws {
        let cluster = try SagaCluster()
        do {
            for service in ["order", "inventory", "payment", "notification"] { try await cluster.start(service) }
            #expect(await eventually(timeout: processPatience, every: processPoll, "the mesh is up") { await cluster.meshIsUp() })
            #expect(await eventually(timeout: processPatience, every: processPoll, "the order node knows every group's interest") {
                await cluster.stats("order")?.knownGroups == ["inventory", "notification", "order", "payment"]
            })
            // Inventory goes away; the order node still knows (and has persisted) its interest,
            // so the orders below wait in the order node's outbox.
            await cluster.child("inventory")?.stop()
            var generator = OrderGenerator(seed: 12)
            let orders = generator.orders(20)
            for order in orders { try await cluster.place(order) }
            let stats = try #require(await cluster.stats("order"))
            #expect(stats.statistics.outboxDepth >= 20, "waiting for inventory")

            // The publisher dies with unacknowledged events in its outbox...
            let order = try #require(cluster.child("order"))
            order.kill()
            #expect(await order.waitForExit(timeout: .seconds(30)))
            // ...and comes back on the same port and data directory, then inventory returns.
            try await cluster.start("order")
            try await cluster.start("inventory")
            let restartedOrder = try #require(cluster.child("order"))
            #expect(await eventually(timeout: processPatience, every: processPoll, "the restarted publisher restored its outbox") {
                restartedOrder.stderr.contains("restored") && restartedOrder.stderr.contains("unfinished events from the outbox")
            })
            let placed = orders.map(\.orderID)
            #expect(await eventually(timeout: processPatience, every: processPoll, "every order settles") { await cluster.settled(placed) })
            let results = SagaInvariantChecker().check(try await cluster.snapshot(placed: placed))
            #expect(results.allSatisfy { $0.passed }, "\(SagaInvariantChecker().report(results))")
        } catch {
            Issue.record("\(error)")
        }
        await cluster.stopAll()
    }
}
