import Testing
import Troupe
import TroupeWire

@Suite("Delivery state machine: cold start, routes, ordering, bounds, restart")
struct DeliveryRoutingTests {
    @Test func parkedEventIsRoutedWhenInterestAppears() throws {
        var machine = makeMachine()
        let event = makeEnvelope(1)
        #expect(try machine.published(event, groups: [], now: at(0)).isEmpty)
        #expect(machine.parkedEvents.map(\.eventID) == [event.eventID])
        #expect(try machine.routeParked(event.eventID, groups: [], now: at(5)).isEmpty)

        let sent = try machine.routeParked(event.eventID, groups: ["billing"], now: at(10)).sends
        #expect(sent.count == 1 && sent[0].group == "billing" && sent[0].attempt == 1)
        #expect(machine.parkedEvents.isEmpty)
        #expect(try machine.routeParked(event.eventID, groups: ["billing"], now: at(11)).isEmpty)
        #expect(machine.acknowledged([sent[0].deliveryID], now: at(20)).completedEvents == [event.eventID])
    }

    @Test func parkedEventPastRetentionIsDeadLetteredUndeliverable() throws {
        var machine = makeMachine(DeliveryPolicy(retention: .seconds(60)))
        let event = makeEnvelope(1, type: "Orphan")
        _ = try machine.published(event, groups: [], now: at(1_000))
        #expect(machine.nextDeadline == at(61_000))
        #expect(machine.tick(now: at(60_999)).isEmpty)
        let actions = machine.tick(now: at(61_000))
        let letter = try #require(actions.deadLetters.first)
        #expect(letter.reason == .undeliverable && letter.group == "" && letter.attempts == 0)
        #expect(letter.firstFailure == at(1_000) && letter.lastFailure == at(61_000))
        #expect(letter.lastError.contains("Orphan"))
        #expect(actions.completedEvents == [event.eventID])
        #expect(machine.parkedEvents.isEmpty && machine.nextDeadline == nil)
    }

    @Test func routeUnavailableThenMemberAppears() throws {
        var machine = makeMachine(DeliveryPolicy(maxDeliveries: 1))
        let first = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0)).sends[0]
        #expect(machine.sendFailed(deliveryID: first.deliveryID, now: at(0)).isEmpty)
        let retryAt = try #require(machine.nextDeadline)
        #expect((retryAt - at(0)).milliseconds >= 160 && (retryAt - at(0)).milliseconds <= 200)

        // The route retry resends the same attempt: failed sends do not spend attempts.
        let again = machine.tick(now: retryAt).sends[0]
        #expect(again.attempt == 1 && again.deliveryID != first.deliveryID)
        #expect(machine.sendFailed(deliveryID: again.deliveryID, now: retryAt).isEmpty)
        #expect(machine.acknowledged([again.deliveryID], now: retryAt).isEmpty)  // never left: unknown

        let appeared = machine.routeAppeared(group: "billing", now: at(300)).sends
        #expect(appeared.count == 1 && appeared[0].attempt == 1)
        #expect(machine.routeAppeared(group: "billing", now: at(301)).isEmpty)
        #expect(machine.acknowledged([appeared[0].deliveryID], now: at(400)).completedEvents.count == 1)
    }

    @Test func groupUnreachableForRetentionIsDeadLetteredUndeliverable() throws {
        var machine = makeMachine(DeliveryPolicy(retention: .seconds(10)))
        var delivery = try machine.published(makeEnvelope(1), groups: ["billing"], now: at(0)).sends[0]
        var letters: [DeadLetter] = []
        var now = at(0)
        while letters.isEmpty {
            #expect(now <= at(10_000))
            let failed = machine.sendFailed(deliveryID: delivery.deliveryID, now: now)
            letters = failed.deadLetters
            guard letters.isEmpty else { break }
            now = try #require(machine.nextDeadline)
            delivery = try #require(machine.tick(now: now).sends.first)
        }
        #expect(now == at(10_000))
        #expect(letters[0].reason == .undeliverable && letters[0].attempts == 0)
        #expect(letters[0].lastError.contains("billing"))
        #expect(machine.liveSeriesCount == 0)
    }

    @Test func orderedBySubjectSendsOneEventOfASubjectAtATime() throws {
        var machine = makeMachine()
        machine.setPolicy(DeliveryPolicy(ackTimeout: .seconds(1), maxDeliveries: 1, orderedBySubject: true), forGroup: "ship")
        let a1 = makeEnvelope(1, subject: "order-A")
        let a2 = makeEnvelope(2, subject: "order-A")
        let b1 = makeEnvelope(3, subject: "order-B")
        let a3 = makeEnvelope(4, subject: "order-A")
        var sent: [OutgoingDelivery] = []
        for event in [a1, a2, b1, a3] {
            sent += try machine.published(event, groups: ["ship", "audit"], now: at(0)).sends
        }
        #expect(sent.filter { $0.group == "audit" }.count == 4)  // unordered group gets all
        let ship = sent.filter { $0.group == "ship" }
        #expect(ship.map(\.eventID) == [a1.eventID, b1.eventID])

        // a1 acknowledged → a2 goes; a2 dead-lettered → a3 goes.
        let afterAck = machine.acknowledged([ship[0].deliveryID], now: at(10)).sends
        #expect(afterAck.map(\.eventID) == [a2.eventID])
        let afterDeadLetter = machine.tick(now: at(1_010))
        #expect(afterDeadLetter.deadLetters.map(\.eventID).contains(a2.eventID))
        #expect(afterDeadLetter.sends.filter { $0.group == "ship" }.map(\.eventID) == [a3.eventID])
    }

    @Test func seriesBoundRefusesWithOverflowAndChangesNothing() throws {
        var machine = makeMachine(maximumLiveSeries: 2, maximumParkedEvents: 1)
        let sent = try machine.published(makeEnvelope(1), groups: ["a", "b"], now: at(0)).sends
        #expect(machine.availableSeriesCapacity == 0)
        #expect(throws: DeliveryOverflowError(eventID: makeEnvelope(2).eventID, needed: 1, available: 0)) {
            try machine.published(makeEnvelope(2), groups: ["a"], now: at(1))
        }
        #expect(machine.liveSeriesCount == 2 && machine.openEventCount == 1)
        _ = machine.acknowledged([sent[0].deliveryID], now: at(2))
        #expect(try machine.published(makeEnvelope(2), groups: ["a"], now: at(3)).sends.count == 1)

        _ = try machine.published(makeEnvelope(3), groups: [], now: at(4))
        #expect(throws: DeliveryOverflowError.self) {
            try machine.published(makeEnvelope(4), groups: [], now: at(5))
        }
        #expect(throws: DeliveryOverflowError.self) {
            try machine.routeParked(makeEnvelope(3).eventID, groups: ["c"], now: at(6))
        }
        #expect(machine.parkedEvents.count == 1)
    }

    @Test func rebuildFromOutboxResendsUnackedEvents() throws {
        var machine = makeMachine(DeliveryPolicy(maxDeliveries: 3, retention: .seconds(60)), firstDeliveryID: 1 << 32)
        let pending = makeEnvelope(1)
        let exhausted = makeEnvelope(2)
        let parked = makeEnvelope(3)
        let actions = try machine.restored(
            OutboxEntry(envelope: pending, pendingGroups: [.init(group: "a", attemptsSoFar: 2), .init(group: "b")]),
            now: at(0)
        )
        #expect(actions.sends.map(\.group) == ["a", "b"])
        #expect(actions.sends.map(\.attempt) == [3, 1])
        #expect(actions.sends.allSatisfy { $0.deliveryID >= 1 << 32 })

        let gaveUp = try machine.restored(
            OutboxEntry(envelope: exhausted, pendingGroups: [.init(group: "a", attemptsSoFar: 3)]),
            now: at(0)
        )
        #expect(gaveUp.deadLetters.map(\.attempts) == [3])
        #expect(gaveUp.deadLetters.first?.reason == .maxDeliveriesExceeded)
        #expect(gaveUp.completedEvents == [exhausted.eventID])

        #expect(try machine.restored(OutboxEntry(envelope: parked, pendingGroups: [], age: .seconds(59)), now: at(0)).isEmpty)
        #expect(machine.parkedEvents.map(\.eventID) == [parked.eventID])
        #expect(machine.tick(now: at(1_000)).deadLetters.map(\.eventID) == [parked.eventID])
        #expect(machine.acknowledged(actions.sends.map(\.deliveryID), now: at(1_001)).completedEvents == [pending.eventID])
    }
}
