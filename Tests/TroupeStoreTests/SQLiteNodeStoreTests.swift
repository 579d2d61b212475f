import Foundation
import GRDB
import Testing
import Troupe
@testable import TroupeStore
import TroupeWire

/// What only the SQLite store has: a file that outlives the process, and bytes that can rot.
@Suite("SQLiteNodeStore")
struct SQLiteNodeStoreTests {
    @Test(arguments: [SQLiteNodeStore.Synchronous.normal, .full])
    func reopeningTheFileRestoresTheSameSnapshot(synchronous: SQLiteNodeStore.Synchronous) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: synchronous)
            try await store.apply(batch {
                $0.handled = [handled(envelope(1), key: "k1", at: 1_000, expiresAt: 50_000)]
                $0.published = [
                    PublishedEvent(envelope: envelope(2, correlation: eventID(1)), groups: ["a", "b"], publishedAtMicros: 1_100),
                    PublishedEvent(envelope: envelope(3), groups: [], publishedAtMicros: 1_200),
                ]
                $0.interest = [LearnedInterest(nodeID: "node-b", subscription: Subscribe(subscriptionID: 3, group: "a", pattern: "*"))]
                $0.state = Data(#"{"orders":1}"#.utf8)
            })
            try await store.apply(batch {
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(2), group: "a", attempts: 2)]
                $0.acknowledged = [DeliveryProgress(eventID: eventID(2), group: "b")]
                $0.deadLetters = [deadLetter(envelope(9), group: "c")]
            })
            let before = SnapshotContent(try await store.loadSnapshot(nowMicros: 2_000))
            let lettersBefore = try await store.deadLetters()
            try store.close()

            let reopened = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: synchronous)
            let after = SnapshotContent(try await reopened.loadSnapshot(nowMicros: 2_000))
            #expect(after == before)
            #expect(after.outbox.count == 2 && after.idempotencyKeys == ["k1": 50_000])
            #expect(try await reopened.deadLetters().map(\.id) == lettersBefore.map(\.id))
            #expect(try await reopened.archivedEvents(correlationID: eventID(1)).count == 2)
            // The restarted node still refuses the duplicate.
            let error = await #expect(throws: StoreError.self) {
                try await reopened.apply(batch { $0.handled = [handled(envelope(1), key: "k1", at: 3_000)] })
            }
            #expect(error?.code == .duplicateIdempotencyKey)
            try reopened.close()
        }
    }

    @Test(arguments: StoreKind.sqlite)
    func corruptedEnvelopeBlobIsReportedNotACrash(kind: StoreKind) async throws {
        try await withSQLiteStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a"], publishedAtMicros: 100)]
                $0.deadLetters = [deadLetter(envelope(2), group: "a")]
            })
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE outbox SET envelope = ?", arguments: [Data("garbage, not a frame".utf8)])
                // A valid frame with one body byte flipped: the CRC catches it.
                try db.execute(sql: "UPDATE dead_letter SET envelope = substr(envelope, 1, 20) || x'FF' || substr(envelope, 22)")
                try db.execute(sql: "UPDATE archive SET envelope = x''")
            }
            let snapshotError = await #expect(throws: StoreError.self) { try await store.loadSnapshot(nowMicros: 0) }
            #expect(snapshotError?.code == .corruptRecord)
            let lettersError = await #expect(throws: StoreError.self) { try await store.deadLetters() }
            #expect(lettersError?.code == .corruptRecord)
            let archiveError = await #expect(throws: StoreError.self) { try await store.recentArchivedEvents(limit: 5) }
            #expect(archiveError?.code == .corruptRecord)
        }
    }

    @Test
    func unopenablePathIsAStorageFailureNamingTheFile() throws {
        let path = "/nonexistent-troupe-dir/\(UUID().uuidString)/node.sqlite"
        let error = #expect(throws: StoreError.self) { try SQLiteNodeStore(path: path, nodeID: "node-a") }
        #expect(error?.code == .storageFailure)
        #expect(error?.message.contains(path) == true)
    }

    @Test(arguments: StoreKind.sqlite)
    func closedStoreThrowsStorageFailure(kind: StoreKind) async throws {
        try await withSQLiteStore(kind) { store in
            try store.close()
            let error = await #expect(throws: StoreError.self) { try await store.apply(batch { $0.state = Data("x".utf8) }) }
            #expect(error?.code == .storageFailure)
        }
    }

    @Test
    func fileStoreIsInWALMode() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteNodeStore(path: directory.appendingPathComponent("n.sqlite").path, nodeID: "n")
            let mode = try await store.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let synchronous = try await store.writer.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
            #expect(synchronous == 1)  // NORMAL
            try store.close()
        }
    }

    /// Runs `body` with a new SQLite store of `kind`.
    private func withSQLiteStore(_ kind: StoreKind, _ body: (SQLiteNodeStore) async throws -> Void) async throws {
        switch kind {
        case .sqliteFile:
            try await withTemporaryDirectory { directory in
                try await body(SQLiteNodeStore(path: directory.appendingPathComponent("node-a.sqlite").path, nodeID: "node-a"))
            }
        default:
            try await body(SQLiteNodeStore.inMemory(nodeID: "node-a"))
        }
    }
}
