import Testing
import Troupe
import TroupeWire

/// Conformance: the outbox's delivery progress, the same bodies for every store.
@Suite("NodeStore outbox")
struct NodeStoreOutboxTests {
    @Test(arguments: StoreKind.allCases)
    func acknowledgedGroupsLeaveAndCompletedEventsDisappear(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [
                    PublishedEvent(envelope: envelope(1), groups: ["a", "b"], publishedAtMicros: 100),
                    PublishedEvent(envelope: envelope(2), groups: ["a"], publishedAtMicros: 200),
                ]
            })
            try await store.apply(batch { $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "a")] })
            var outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == [eventID(1), eventID(2)])
            #expect(groups(outbox[0]) == ["b": 0])

            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "b")]
                $0.completed = [eventID(1)]
            })
            outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == [eventID(2)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func fullyAcknowledgedEventIsNotListedAndCompletedRemovesIt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a"], publishedAtMicros: 100)]
            })
            try await store.apply(batch { $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "a")] })
            // Owed to nobody and not parked: not restored (it would otherwise be parked again).
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.isEmpty)
            // Still stored: a late targetsAdded revives it with its new group.
            try await store.apply(batch { $0.targetsAdded = [DeliveryProgress(eventID: eventID(1), group: "late")] })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.map(groups) == [["late": 0]])
            try await store.apply(batch { $0.completed = [eventID(1)] })
            try await store.apply(batch { $0.targetsAdded = [DeliveryProgress(eventID: eventID(1), group: "later")] })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func parkedEventsComeBackWithoutGroupsUntilTargetsAreAdded(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [
                    PublishedEvent(envelope: envelope(1), groups: [], publishedAtMicros: 100),
                    PublishedEvent(envelope: envelope(2), groups: [], publishedAtMicros: 100),
                ]
            })
            var outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == [eventID(1), eventID(2)])
            #expect(outbox.allSatisfy { $0.pendingGroups.isEmpty })

            try await store.apply(batch {
                $0.targetsAdded = [
                    DeliveryProgress(eventID: eventID(2), group: "x"),
                    DeliveryProgress(eventID: eventID(2), group: "y"),
                ]
            })
            outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(groups) == [[:], ["x": 0, "y": 0]])

            // Once unparked, acknowledging every group does not make it parked again.
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(2), group: "x"), DeliveryProgress(eventID: eventID(2), group: "y")]
            })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.map(\.envelope.eventID) == [eventID(1)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func attemptsMadeAreRecordedPerGroup(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a", "b"], publishedAtMicros: 100)]
            })
            try await store.apply(batch {
                $0.attemptsMade = [
                    DeliveryProgress(eventID: eventID(1), group: "a", attempts: 1),
                    DeliveryProgress(eventID: eventID(1), group: "b", attempts: 2),
                    DeliveryProgress(eventID: eventID(7), group: "a", attempts: 9),
                ]
            })
            try await store.apply(batch {
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(1), group: "a", attempts: 3)]
                // Adding a group it already owes keeps its attempts.
                $0.targetsAdded = [DeliveryProgress(eventID: eventID(1), group: "b")]
            })
            let outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(groups) == [["a": 3, "b": 2]])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func outboxIsOldestFirstAndRepublishingStartsOver(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [
                    PublishedEvent(envelope: envelope(3), groups: ["a"], publishedAtMicros: 300),
                    PublishedEvent(envelope: envelope(2), groups: ["a"], publishedAtMicros: 100),
                    PublishedEvent(envelope: envelope(1), groups: ["a", "a"], publishedAtMicros: 100),
                ]
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(3), group: "a", attempts: 4)]
            })
            var outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == [eventID(1), eventID(2), eventID(3)])
            #expect(outbox.map(groups) == [["a": 0], ["a": 0], ["a": 4]])

            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(3), groups: ["b"], publishedAtMicros: 50)]
            })
            outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == [eventID(3), eventID(1), eventID(2)])
            #expect(groups(outbox[0]) == ["b": 0])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deadLetterReleasesItsGroup(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a", "b"], publishedAtMicros: 100)]
            })
            try await store.apply(batch { $0.deadLetters = [deadLetter(envelope(1), group: "a")] })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.map(groups) == [["b": 0]])
            // Acknowledgements after a dead letter: in the SQLite store both release a group
            // with the same statement, through two different code paths.
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(2), groups: ["a", "b"], publishedAtMicros: 200)]
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "b")]
                $0.completed = [eventID(1)]
            })
            try await store.apply(batch { $0.deadLetters = [deadLetter(envelope(2), group: "a")] })
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(2), group: "b")]
                $0.completed = [eventID(2)]
            })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.isEmpty)
            #expect(try await store.deadLetters().count == 2)
        }
    }
}
