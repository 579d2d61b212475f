import Foundation
import Testing
import Troupe
import TroupeWire

/// Conformance: batches of more events than one statement writes (the SQLite store inserts 16,
/// 4 and 1 rows per statement, so 21 events take every chunk size), with a duplicate or a
/// republished event in the middle of a chunk.
@Suite("NodeStore large batches")
struct NodeStoreLargeBatchTests {
    /// 21 events numbered from `first`.
    private static func numbers(from first: UInt64) -> [UInt64] { Array(first ..< first + 21) }

    @Test(arguments: StoreKind.allCases)
    func everyRowOfALargeBatchIsRecordedInOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for round in 0 ..< 2 {
                let incoming = Self.numbers(from: 100 + UInt64(round) * 100)
                let outgoing = Self.numbers(from: 1_000 + UInt64(round) * 100)
                try await store.apply(batch {
                    $0.handled = incoming.map { handled(envelope($0), at: Int64($0), expiresAt: 90_000 + Int64($0)) }
                    $0.published = outgoing.map {
                        PublishedEvent(envelope: envelope($0), groups: ["a", "b"], publishedAtMicros: Int64($0))
                    }
                })
            }
            let snapshot = try await store.loadSnapshot(nowMicros: 0)
            let handledNumbers = Self.numbers(from: 100) + Self.numbers(from: 200)
            #expect(snapshot.idempotencyKeys == Dictionary(uniqueKeysWithValues: handledNumbers.map {
                (IdempotencyKey(eventID: eventID($0)), 90_000 + Int64($0))
            }))
            let publishedNumbers = Self.numbers(from: 1_000) + Self.numbers(from: 1_100)
            // Each outbox event reads back its own envelope (through the archive row it names).
            #expect(snapshot.outbox.map(\.envelope) == publishedNumbers.map { envelope($0) })
            #expect(snapshot.outbox.allSatisfy { groups($0) == ["a": 0, "b": 0] })

            let archive = try await store.recentArchivedEvents(limit: 1_000)
            let expected = Self.numbers(from: 100) + Self.numbers(from: 1_000) + Self.numbers(from: 200) + Self.numbers(from: 1_100)
            #expect(archive.map(\.envelope.eventID) == expected.map(eventID))
            #expect(archive.map(\.direction) == (0 ..< 4).flatMap { [ArchivedEvent.Direction.handled, .published][$0 % 2].repeated(21) })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLiveKeyInTheMiddleOfAChunkRefusesTheWholeBatch(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch { $0.handled = [handled(envelope(1), key: "taken", at: 1_000, expiresAt: 50_000)] })
            let before = SnapshotContent(try await store.loadSnapshot(nowMicros: 0))

            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = Self.numbers(from: 10).map { n in
                        handled(envelope(n), key: n == 17 ? "taken" : nil, at: 2_000, expiresAt: 60_000)
                    }
                    $0.published = [PublishedEvent(envelope: envelope(500), groups: ["a"], publishedAtMicros: 2_000)]
                })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            #expect(SnapshotContent(try await store.loadSnapshot(nowMicros: 0)) == before)
            #expect(try await store.recentArchivedEvents(limit: 100).map(\.envelope.eventID) == [eventID(1)])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRepeatedKeyWithinOneChunkIsADuplicate(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let error = await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = Self.numbers(from: 10).map { n in
                        handled(envelope(n), key: n == 12 || n == 20 ? "twice" : nil)
                    }
                })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            let keys = try await store.loadSnapshot(nowMicros: 0).idempotencyKeys
            #expect(keys.isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anExpiredKeyInTheMiddleOfAChunkIsReplaced(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch { $0.handled = [handled(envelope(1), key: "old", at: 1_000, expiresAt: 5_000)] })
            try await store.apply(batch {
                $0.handled = Self.numbers(from: 10).map { n in
                    handled(envelope(n), key: n == 17 ? "old" : nil, at: 6_000, expiresAt: 60_000)
                }
            })
            let keys = try await store.loadSnapshot(nowMicros: 0).idempotencyKeys
            #expect(keys.count == 21)
            #expect(keys["old"] == 60_000)
            #expect(try await store.recentArchivedEvents(limit: 100).count == 22)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func republishingInTheMiddleOfAChunkStartsThatEventOver(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(17), groups: ["a", "b"], publishedAtMicros: 100)]
            })
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(17), group: "a")]
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(17), group: "b", attempts: 3)]
            })
            try await store.apply(batch {
                $0.published = Self.numbers(from: 10).map {
                    PublishedEvent(envelope: envelope($0), groups: ["a", "c"], publishedAtMicros: 1_000 + Int64($0))
                }
            })
            let outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == Self.numbers(from: 10).map(eventID))
            // Event 17's release of `a` and its attempts for `b` are gone with its earlier copy.
            #expect(outbox.allSatisfy { groups($0) == ["a": 0, "c": 0] })
            #expect(outbox.map(\.publishedAtMicros) == Self.numbers(from: 10).map { 1_000 + Int64($0) })
        }
    }
}

extension NodeStoreLargeBatchTests {
    @Test(arguments: StoreKind.allCases)
    func aLargeBatchOfAcknowledgementsReleasesEveryGroupOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.published = Self.numbers(from: 10).map {
                    PublishedEvent(envelope: envelope($0), groups: ["a", "b", "c"], publishedAtMicros: Int64($0))
                }
            })
            try await store.apply(batch { $0.acknowledged = [DeliveryProgress(eventID: eventID(17), group: "a")] })
            // Event 17's `a` is released a second time, in the middle of a chunk.
            try await store.apply(batch {
                $0.acknowledged = Self.numbers(from: 10).map { DeliveryProgress(eventID: eventID($0), group: "a") }
            })
            try await store.apply(batch {
                $0.deadLetters = Self.numbers(from: 10).map { deadLetter(envelope($0), group: "b") }
            })
            let outbox = try await store.loadSnapshot(nowMicros: 0).outbox
            #expect(outbox.map(\.envelope.eventID) == Self.numbers(from: 10).map(eventID))
            #expect(outbox.allSatisfy { groups($0) == ["c": 0] })
            #expect(try await store.deadLetters().count == 21)
        }
    }
}

private extension ArchivedEvent.Direction {
    func repeated(_ count: Int) -> [Self] { Array(repeating: self, count: count) }
}
