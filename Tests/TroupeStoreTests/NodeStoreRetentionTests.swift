import Foundation
import Testing
import Troupe
import TroupeStore
import TroupeWire

/// Conformance: what keeps a store bounded under sustained traffic — expired idempotency
/// records leave with the commits that record new ones, and the archive keeps its newest rows.
@Suite("NodeStore retention")
struct NodeStoreRetentionTests {
    @Test(arguments: StoreKind.allCases)
    func aCommitRemovesTheRecordsExpiredByItsHandlingTime(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.handled = [
                    handled(envelope(1), key: "a", at: 1_000, expiresAt: 3_000),
                    handled(envelope(2), key: "b", at: 1_000, expiresAt: 5_000),
                ]
            })
            // Handled at 4 000: "a" (3 000) has expired, "b" (5 000) has not.
            try await store.apply(batch { $0.handled = [handled(envelope(3), key: "c", at: 4_000, expiresAt: 9_000)] })
            #expect(try await store.loadSnapshot(nowMicros: .min).idempotencyKeys == ["b": 5_000, "c": 9_000])
            // A commit without handled events removes nothing.
            try await store.apply(batch { $0.published = [PublishedEvent(envelope: envelope(4), groups: ["billing"], publishedAtMicros: 9_500)] })
            #expect(try await store.loadSnapshot(nowMicros: .min).idempotencyKeys.count == 2)
            // Expiry at the handling time counts as expired (as for duplicates); the record just
            // written stays, so a restarted retention clock still resumes from it.
            try await store.apply(batch { $0.handled = [handled(envelope(5), key: "d", at: 9_000, expiresAt: 20_000)] })
            #expect(try await store.loadSnapshot(nowMicros: .min).idempotencyKeys == ["d": 20_000])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCommitRemovesAtMostItsPurgeLimitSoABacklogDrainsOverSeveralCommits(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.apply(batch {
                $0.handled = (1 ... 100).map { handled(envelope($0), key: IdempotencyKey("old-\($0)"), at: 1_000, expiresAt: 2_000 + Int64($0)) }
            })
            var commits = 0
            var remaining = 100
            while remaining > 0 {
                commits += 1
                var next = StoreBatch()
                next.handled = [handled(envelope(1_000 + UInt64(commits)), at: 5_000, expiresAt: 90_000)]
                #expect(next.expiredRecordPurgeLimit == 18)
                try await store.apply(next)
                let keys = try await store.loadSnapshot(nowMicros: .min).idempotencyKeys
                let old = keys.keys.filter { $0.description.hasPrefix("old-") }
                #expect(old.count == max(0, remaining - 18))
                // The oldest expiries go first.
                #expect(old.allSatisfy { keys[$0]! > 2_000 + Int64(min(100, 100 - remaining + 18)) })
                remaining = old.count
            }
            #expect(commits == 6)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theArchiveKeepsItsNewestRows(kind: StoreKind) async throws {
        try await withStore(kind, archiveCapacity: 5) { store in
            for pair in 0 ..< 4 {
                let first = UInt64(2 * pair + 1)
                try await store.apply(batch {
                    $0.handled = [handled(envelope(first), at: 1_000, expiresAt: 90_000)]
                    $0.published = [PublishedEvent(envelope: envelope(first + 1), groups: ["billing"], publishedAtMicros: 1_000)]
                })
            }
            let recent = try await store.recentArchivedEvents(limit: 100)
            #expect(recent.map(\.envelope.eventID) == (4 ... 8).map { eventID($0) })
            #expect(try await store.archivedEvents(correlationID: eventID(3)).isEmpty)
            #expect(try await store.archivedEvents(correlationID: eventID(4)).map(\.direction) == [.published])
            // Nothing else is bounded by it: every idempotency record and outbox event is kept.
            let snapshot = try await store.loadSnapshot(nowMicros: .min)
            #expect(snapshot.idempotencyKeys.count == 4)
            #expect(snapshot.outbox.map(\.envelope) == [2, 4, 6, 8].map { envelope($0) })
        }
    }

    @Test func aLoweredArchiveCapacityDrainsOverCommitsInsteadOfStallingOne() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let large = try SQLiteNodeStore(path: path, nodeID: "node-a", archiveCapacity: 1_000)
            try await large.apply(batch {
                $0.published = (1 ... 300).map { PublishedEvent(envelope: envelope($0), groups: [], publishedAtMicros: 1_000) }
            })
            #expect(try await large.recentArchivedEvents(limit: 1_000).count == 300)
            try large.close()

            let small = try SQLiteNodeStore(path: path, nodeID: "node-a", archiveCapacity: 10)
            var counts: [Int] = []
            var n: UInt64 = 300
            repeat {
                n += 1
                try await small.apply(batch { $0.published = [PublishedEvent(envelope: envelope(n), groups: [], publishedAtMicros: 2_000)] })
                counts.append(try await small.recentArchivedEvents(limit: 1_000).count)
            } while counts.last! > 10 && counts.count < 100
            // Each commit archives one row and drops at most 2 × 1 + 16 of the oldest.
            #expect(counts.first == 301 - 18)
            #expect(zip(counts, counts.dropFirst()).allSatisfy { $0 - $1 == 17 || $1 == 10 })
            #expect(counts.last == 10)
            #expect(try await small.recentArchivedEvents(limit: 1_000).map(\.envelope.eventID) == (n - 9 ... n).map { eventID($0) })
            try small.close()
        }
    }
}
