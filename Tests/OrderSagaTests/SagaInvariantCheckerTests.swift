import Foundation
import OrderSaga
import Testing

@Suite("Saga invariant checker")
struct SagaInvariantCheckerTests {
    let checker = SagaInvariantChecker()

    @Test func aConsistentSnapshotPassesEveryInvariant() {
        let results = checker.check(SagaFixtures.consistent())
        #expect(results.map(\.name) == SagaInvariant.allCases.map(\.rawValue))
        #expect(results.failedNames.isEmpty, "\(checker.report(results))")
        #expect(results.allSatisfy { $0.counterexamples.isEmpty })
    }

    @Test func aPendingOrAnUnknownOrderIsNotTerminal() {
        var snapshot = SagaFixtures.consistent()
        snapshot.orders.orders["order-0002"]?.status = .pending
        snapshot.notifications.notifications["order-0002"] = nil
        snapshot.placedOrderIDs.append("order-0004")
        let results = checker.check(snapshot)
        #expect(results.failedNames == [SagaInvariant.everyOrderTerminal.rawValue])
        #expect(results[.everyOrderTerminal]?.counterexamples == [
            "order-0002 pending", "order-0004 unknown to the order service",
        ])
    }

    @Test func servicesThatDisagreeOnAnOutcomeMeanConfirmedAndCancelled() {
        var toldOtherwise = SagaFixtures.consistent()
        toldOtherwise.notifications.notifications["order-0001"]?.outcome = .cancelled
        let told = checker.check(toldOtherwise)
        #expect(told.failedNames == [SagaInvariant.noOrderBothConfirmedAndCancelled.rawValue])
        #expect(told[.noOrderBothConfirmedAndCancelled]?.counterexamples == [
            "order-0001 confirmed, but the customer was told cancelled",
        ])

        var neverPaid = SagaFixtures.consistent()
        neverPaid.payments.captures["order-0001"] = nil
        #expect(checker.check(neverPaid)[.noOrderBothConfirmedAndCancelled]?.counterexamples == [
            "order-0001 confirmed, but captured 0 times",
        ])
    }

    @Test func aSecondCaptureOrACaptureOfACancelledOrderIsCaught() {
        var twice = SagaFixtures.consistent()
        twice.payments.captures["order-0001"] = .init(count: 2, amountCents: 5_000)
        let results = checker.check(twice)
        #expect(results[.atMostOneCapture]?.counterexamples == ["order-0001 captured 2 times (50.00 in all)"])
        #expect(results[.atMostOneCapture]?.passed == false)

        var cancelledButPaid = SagaFixtures.consistent()
        cancelledButPaid.payments.captures["order-0002"] = .init(count: 1, amountCents: 12_000)
        #expect(checker.check(cancelledButPaid)[.atMostOneCapture]?.counterexamples == [
            "order-0002 cancelled but captured 1 time",
        ])
    }

    @Test func stockThatDoesNotAddUpOrStaysReservedIsCaught() {
        var vanished = SagaFixtures.consistent()
        vanished.inventory.available["widget"] = 9
        let results = checker.check(vanished)
        #expect(results.failedNames == [SagaInvariant.stockConserved.rawValue])
        #expect(results[.stockConserved]?.counterexamples == ["widget: initial 10 ≠ available 9 + reserved 0 + sold 2"])

        // Conserved, but order-0003's compensation never ran: its unit is still held.
        var held = SagaFixtures.consistent()
        held.inventory.allocations["order-0003"]?.status = .reserved
        held.inventory.available["gadget"] = 4
        #expect(checker.check(held)[.stockConserved]?.counterexamples == [
            "order-0003 still holds 1 × gadget after every order ended",
        ])
    }

    @Test func aMissingOrADoubleNotificationIsCaught() {
        var snapshot = SagaFixtures.consistent()
        snapshot.notifications.notifications["order-0002"]?.count = 2
        snapshot.notifications.notifications["order-0003"] = nil
        let results = checker.check(snapshot)
        #expect(results.failedNames == [SagaInvariant.exactlyOneNotification.rawValue])
        #expect(results[.exactlyOneNotification]?.counterexamples == [
            "order-0002 cancelled but notified 2 times", "order-0003 cancelled but notified 0 times",
        ])
    }

    @Test func aNonEmptyOutboxIsALostEventButDeadLettersOnlyInform() {
        var snapshot = SagaFixtures.consistent()
        snapshot.nodes[2].outboxDepth = 3
        snapshot.nodes[1].deadLetterCount = 2
        let results = checker.check(snapshot)
        #expect(results.failedNames == [SagaInvariant.noEventLost.rawValue])
        #expect(results[.noEventLost]?.counterexamples == ["payment: 3 events not yet acknowledged"])
        #expect(results[.deadLetters] == InvariantResult(name: "dead letters", passed: true,
                                                        counterexamples: ["inventory: 2"], informational: true))

        snapshot.nodes = []
        #expect(checker.check(snapshot)[.noEventLost]?.passed == false, "no nodes, no proof")
    }

    @Test func theReportHasOneLinePerInvariantAndASummary() {
        #expect(checker.report(checker.check(SagaFixtures.consistent())) == """
            ✔ every order terminal
            ✔ no order both confirmed and cancelled
            ✔ at most one capture per order, none for a cancelled order
            ✔ stock conserved
            ✔ exactly one notification per terminal order
            ✔ no event lost
            ℹ dead letters: none
            6 of 6 invariants hold
            """)
        var snapshot = SagaFixtures.consistent()
        snapshot.orders.orders["order-0002"]?.status = .pending
        let lines = checker.report(checker.check(snapshot)).split(separator: "\n")
        #expect(lines.first == "✘ every order terminal: order-0002 pending")
        #expect(lines.last == "4 of 6 invariants hold")
    }

    @Test func counterexamplesAreBounded() {
        var snapshot = SagaFixtures.consistent()
        for number in 4...33 { snapshot.placedOrderIDs.append(OrderGenerator.orderID(number)) }
        let result = SagaInvariantChecker(maximumCounterexamples: 5).check(snapshot)[.everyOrderTerminal]
        #expect(result?.counterexamples.count == 6)
        #expect(result?.counterexamples.first == "order-0004 unknown to the order service")
        #expect(result?.counterexamples.last == "… and 25 more")
    }

    @Test func snapshotsAndResultsRoundTripThroughJSON() throws {
        let snapshot = SagaFixtures.consistent()
        let decoded = try JSONDecoder().decode(SagaSnapshot.self, from: JSONEncoder().encode(snapshot))
        #expect(decoded == snapshot)
        let results = checker.check(snapshot)
        #expect(try JSONDecoder().decode([InvariantResult].self, from: JSONEncoder().encode(results)) == results)
    }
}
