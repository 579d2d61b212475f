import Foundation
import NIOCore
import Testing
import Troupe
import TroupeWire

/// Conformance: batches, idempotency and state, the same bodies for every store.
@Suite("NodeStore batches and idempotency")
struct NodeStoreBatchTests {
    @Test(arguments: StoreKind.allCases)
    func emptyStoreHasAnEmptySnapshot(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let snapshot = try await store.loadSnapshot(nowMicros: 0)
            #expect(snapshot.state == nil)
            #expect(snapshot.outbox.isEmpty)
            #expect(snapshot.idempotencyKeys.isEmpty)
            #expect(snapshot.interest.isEmpty)
            #expect(try await store.deadLetters().isEmpty)
            #expect(try await store.recentArchivedEvents(limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func handledPublishedAndStateOfOneBatchAreAllVisible(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let incoming = envelope(1)
            let reply = envelope(2, correlation: incoming.correlationID, causation: incoming.eventID, type: "PaymentTaken")
            let parked = envelope(3, correlation: incoming.correlationID, type: "NobodyCares")
            try await store.apply(batch {
                $0.handled = [handled(incoming, key: "k1", at: 1_000, expiresAt: 50_000)]
                $0.published = [
                    PublishedEvent(envelope: reply, groups: ["shipping", "notification"], publishedAtMicros: 1_100),
                    PublishedEvent(envelope: parked, groups: [], publishedAtMicros: 1_200),
                ]
                $0.state = Data(#"{"orders":1}"#.utf8)
            })

            let snapshot = try await store.loadSnapshot(nowMicros: 2_000)
            #expect(snapshot.state == Data(#"{"orders":1}"#.utf8))
            #expect(snapshot.idempotencyKeys == ["k1": 50_000])
            #expect(snapshot.outbox.map(\.envelope) == [reply, parked])
            #expect(snapshot.outbox.map(\.publishedAtMicros) == [1_100, 1_200])
            #expect(snapshot.outbox[0].pendingGroups.map(\.group) == ["notification", "shipping"])
            #expect(snapshot.outbox[0].pendingGroups.allSatisfy { $0.eventID == reply.eventID && $0.attempts == 0 })
            #expect(snapshot.outbox[1].pendingGroups.isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateKeyThrowsAndWritesNothingOfTheBatch(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.handled = [handled(envelope(1), key: "k1", at: 1_000, expiresAt: 50_000)]
                $0.state = Data("before".utf8)
            })
            let before = SnapshotContent(try await store.loadSnapshot(nowMicros: 2_000))

            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = [
                        handled(envelope(2), key: "k2", at: 2_000, expiresAt: 60_000),
                        handled(envelope(3), key: "k1", at: 2_000, expiresAt: 60_000),
                    ]
                    $0.published = [PublishedEvent(envelope: envelope(4), groups: ["shipping"], publishedAtMicros: 2_000)]
                    $0.deadLetters = [deadLetter(envelope(5), group: "billing")]
                    $0.interest = [LearnedInterest(nodeID: "node-b", subscription: Subscribe(subscriptionID: 1, group: "g", pattern: "*"))]
                    $0.state = Data("after".utf8)
                })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            #expect(SnapshotContent(try await store.loadSnapshot(nowMicros: 2_000)) == before)
            #expect(try await store.deadLetters().isEmpty)
            #expect(try await store.recentArchivedEvents(limit: 10).map(\.envelope.eventID) == [eventID(1)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func repeatedKeyWithinOneBatchIsADuplicate(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = [handled(envelope(1), key: "same"), handled(envelope(2), key: "same")]
                })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            let keys = try await store.loadSnapshot(nowMicros: 0).idempotencyKeys
            #expect(keys.isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func expiredKeyIsAcceptedAgainAndReplaced(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch { $0.handled = [handled(envelope(1), key: "k", at: 1_000, expiresAt: 5_000)] })
            // Handled exactly at the expiry: the old record no longer guards.
            try await store.apply(batch { $0.handled = [handled(envelope(2), key: "k", at: 5_000, expiresAt: 9_000)] })
            #expect(try await store.loadSnapshot(nowMicros: 5_000).idempotencyKeys == ["k": 9_000])

            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch { $0.handled = [handled(envelope(3), key: "k", at: 8_999, expiresAt: 20_000)] })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func refusedBatchKeepsTheExpiredRecordItWouldHaveReplaced(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.handled = [
                    handled(envelope(1), key: "expired", at: 1_000, expiresAt: 5_000),
                    handled(envelope(2), key: "live", at: 1_000, expiresAt: 50_000),
                ]
            })
            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = [
                        handled(envelope(3), key: "expired", at: 6_000, expiresAt: 60_000),
                        handled(envelope(4), key: "new", at: 6_000, expiresAt: 60_000),
                        handled(envelope(5), key: "live", at: 6_000, expiresAt: 60_000),
                    ]
                })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            #expect(try await store.loadSnapshot(nowMicros: 0).idempotencyKeys == ["expired": 5_000, "live": 50_000])
            // The old record is still the one that expires, and goes when purged.
            #expect(try await store.purgeExpiredIdempotencyRecords(nowMicros: 6_000) == 1)
            #expect(try await store.loadSnapshot(nowMicros: 0).idempotencyKeys == ["live": 50_000])
            try await store.apply(batch { $0.handled = [handled(envelope(6), key: "new", at: 7_000, expiresAt: 70_000)] })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func purgeRemovesOnlyExpiredKeysAndSnapshotHidesThem(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.handled = [
                    handled(envelope(1), key: "old", expiresAt: 3_000),
                    handled(envelope(2), key: "edge", expiresAt: 4_000),
                    handled(envelope(3), key: "fresh", expiresAt: 9_000),
                ]
            })
            #expect(try await store.loadSnapshot(nowMicros: 4_000).idempotencyKeys == ["fresh": 9_000])
            #expect(try await store.loadSnapshot(nowMicros: 0).idempotencyKeys.count == 3)

            #expect(try await store.purgeExpiredIdempotencyRecords(nowMicros: 4_000) == 2)
            #expect(try await store.loadSnapshot(nowMicros: 0).idempotencyKeys == ["fresh": 9_000])
            #expect(try await store.purgeExpiredIdempotencyRecords(nowMicros: 4_000) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func stateIsReplacedOnlyWhenGiven(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch { $0.state = Data("one".utf8) })
            try await store.apply(batch { $0.completed = [eventID(99)] })
            #expect(try await store.loadSnapshot(nowMicros: 0).state == Data("one".utf8))
            try await store.apply(batch { $0.state = Data("two".utf8) })
            #expect(try await store.loadSnapshot(nowMicros: 0).state == Data("two".utf8))
            try await store.apply(StoreBatch())
            #expect(try await store.loadSnapshot(nowMicros: 0).state == Data("two".utf8))
        }
    }
}
