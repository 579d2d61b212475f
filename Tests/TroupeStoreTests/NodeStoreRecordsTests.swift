import Testing
import Troupe
import TroupeWire

/// Conformance: dead letters, archive and interest, the same bodies for every store.
@Suite("NodeStore dead letters, archive and interest")
struct NodeStoreRecordsTests {
    @Test(arguments: StoreKind.allCases)
    func deadLettersAreListedOldestFirstAndRemovedById(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.deadLetters = [deadLetter(envelope(1), group: "a"), deadLetter(envelope(2), group: "", reason: "undeliverable")]
            })
            try await store.apply(batch { $0.deadLetters = [deadLetter(envelope(3), group: "b")] })

            let letters = try await store.deadLetters()
            #expect(letters.map(\.letter.envelope) == [envelope(1), envelope(2), envelope(3)])
            #expect(letters.map(\.id) == letters.map(\.id).sorted())
            #expect(Set(letters.map(\.id)).count == 3)
            let second = letters[1].letter
            #expect(second.group == "" && second.reason == "undeliverable" && second.lastError == "handler threw: boom")
            #expect(second.attempts == 5 && second.firstFailureMicros == 2_000 && second.lastFailureMicros == 9_000)

            #expect(try await store.removeDeadLetters([letters[0].id, letters[2].id, 987_654]) == 2)
            #expect(try await store.deadLetters().map(\.id) == [letters[1].id])
            #expect(try await store.removeDeadLetters([letters[0].id]) == 0)
            #expect(try await store.removeDeadLetters([]) == 0)

            // Ids keep increasing after removals.
            try await store.apply(batch { $0.deadLetters = [deadLetter(envelope(4), group: "c")] })
            let ids = try await store.deadLetters().map(\.id)
            #expect(ids.count == 2 && ids[1] > letters[2].id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func archiveKeepsEachCorrelationInRecordingOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let order = eventID(1)
            let placed = envelope(1)
            let taken = envelope(2, correlation: order, causation: placed.eventID, type: "PaymentTaken")
            let other = envelope(3, type: "OrderPlaced")
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: placed, groups: ["billing"], publishedAtMicros: 100)]
            })
            try await store.apply(batch {
                $0.handled = [handled(other, at: 150, group: "billing"), handled(placed, at: 200, group: "billing")]
                $0.published = [PublishedEvent(envelope: taken, groups: ["shipping"], publishedAtMicros: 210)]
            })

            let trail = try await store.archivedEvents(correlationID: order)
            #expect(trail.map(\.envelope) == [placed, placed, taken])
            #expect(trail.map(\.direction) == [.published, .handled, .published])
            #expect(trail.map(\.group) == ["", "billing", ""])
            #expect(trail.map(\.atMicros) == [100, 200, 210])
            #expect(trail.allSatisfy { $0.nodeID == "node-a" })
            #expect(try await store.archivedEvents(correlationID: eventID(42)).isEmpty)

            let recent = try await store.recentArchivedEvents(limit: 3)
            #expect(recent.map(\.envelope.eventID) == [other.eventID, placed.eventID, taken.eventID])
            #expect(try await store.recentArchivedEvents(limit: 100).count == 4)
            #expect(try await store.recentArchivedEvents(limit: 1).map(\.envelope) == [taken])
            #expect(try await store.recentArchivedEvents(limit: 0).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func interestIsReplacedWholeAndKeptWhenNotGiven(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = [
                LearnedInterest(nodeID: "node-b", subscription: Subscribe(
                    subscriptionID: .max, group: "billing", pattern: "Order*", filter: #"{"total":[{"numeric":[">",100]}]}"#,
                    options: .orderedBySubject
                )),
                LearnedInterest(nodeID: "node-c", subscription: Subscribe(subscriptionID: 7, group: "shipping", pattern: "PaymentTaken")),
            ]
            try await store.apply(batch { $0.interest = first })
            #expect(try await store.loadSnapshot(nowMicros: 0).interest == first)

            try await store.apply(batch { $0.state = nil })
            #expect(try await store.loadSnapshot(nowMicros: 0).interest == first)

            let second = [LearnedInterest(nodeID: "node-d", subscription: Subscribe(subscriptionID: 1, group: "audit", pattern: "*"))]
            try await store.apply(batch { $0.interest = second })
            #expect(try await store.loadSnapshot(nowMicros: 0).interest == second)

            try await store.apply(batch { $0.interest = [] })
            #expect(try await store.loadSnapshot(nowMicros: 0).interest.isEmpty)
        }
    }
}
