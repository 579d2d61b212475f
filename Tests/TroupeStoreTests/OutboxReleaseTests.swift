import Foundation
import GRDB
import Testing
import Troupe
@testable import TroupeStore
import TroupeWire
import TroupeTestSupport

/// The SQLite outbox keeps an event's groups in its row and each group released since
/// (acknowledged, dead-lettered) in a row of its own; these check that together they mean
/// exactly what the in-memory store's per-event group list means.
@Suite("Outbox releases")
struct OutboxReleaseTests {
    /// Batches that change the same events inside one transaction — acknowledgements of some of
    /// their groups, attempts, a dead letter, a group added back after its release, a completion
    /// and a re-publication of the completed event — leave the outbox exactly as the in-memory
    /// store leaves it applying them one by one, and so do the same batches in separate
    /// transactions.
    @Test(arguments: [true, false])
    func batchesLeaveTheOutboxTheInMemoryStoreLeaves(inOneTransaction: Bool) async throws {
        let batches: [StoreBatch] = [
            batch { $0.published = [
                PublishedEvent(envelope: envelope(1), groups: ["a", "b", "c"], publishedAtMicros: 1_000),
                PublishedEvent(envelope: envelope(2), groups: ["a"], publishedAtMicros: 1_001),
                PublishedEvent(envelope: envelope(3), groups: [], publishedAtMicros: 1_002),
                PublishedEvent(envelope: envelope(4), groups: ["a", "b"], publishedAtMicros: 1_003),
            ] },
            batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "a")]
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(1), group: "b", attempts: 3),
                                   DeliveryProgress(eventID: eventID(4), group: "b", attempts: 5)]
            },
            batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(2), group: "a"), DeliveryProgress(eventID: eventID(1), group: "c")]
                $0.completed = [eventID(2)]
                $0.deadLetters = [NewDeadLetter(envelope: envelope(4), group: "b", reason: "maxDeliveries", lastError: "boom",
                                                attempts: 5, firstFailureMicros: 1_004, lastFailureMicros: 1_005)]
            },
            batch { $0.published = [PublishedEvent(envelope: envelope(2), groups: ["d"], publishedAtMicros: 1_010)] },
            batch {
                $0.attemptsMade = [DeliveryProgress(eventID: eventID(2), group: "d", attempts: 1)]
                $0.targetsAdded = [DeliveryProgress(eventID: eventID(3), group: "e"), DeliveryProgress(eventID: eventID(4), group: "b")]
            },
        ]
        let memory = InMemoryNodeStore(nodeID: "node-a")
        for batch in batches { try await memory.apply(batch) }
        let expected = try await memory.loadSnapshot(nowMicros: 2_000).outbox

        SQLiteProcessSettings.applyOnce()  // as a store would: this may be the process's first connection
        let queue = try DatabaseQueue()
        let archiveLog = ArchiveLog.inMemory()
        try StoreSchema.migrator(archiveLog: archiveLog).migrate(queue)
        for transaction in inOneTransaction ? [batches] : batches.map({ [$0] }) {
            try await queue.write { db in
                var writer = BatchWriter(db: db, nodeID: "node-a", archiveLog: archiveLog, archiveCapacity: 100)
                for batch in transaction { try writer.apply(batch) }
                try writer.trim()
            }
        }
        let outbox = try await queue.read { try StoreReader(db: $0, archiveLog: archiveLog).snapshot(nowMicros: 2_000).outbox }
        #expect(outbox.map(\.envelope.eventID) == expected.map(\.envelope.eventID))
        #expect(outbox.map(\.pendingGroups) == expected.map(\.pendingGroups))
        #expect(outbox.map(\.envelope.eventID) == [eventID(1), eventID(3), eventID(4), eventID(2)])
        #expect(outbox.map { $0.pendingGroups.map(\.group) } == [["b"], ["e"], ["a", "b"], ["d"]])
        #expect(outbox.map { $0.pendingGroups.map(\.attempts) } == [[3], [0], [0, 0], [1]], "a group added back is owed afresh")
        // Completion took the completed event's releases with it; the re-published copy starts clean.
        let released = try await queue.read { db in
            try Row.fetchAll(db, sql: #"SELECT event_id, "group" FROM outbox_released ORDER BY event_id, "group""#)
                .map { "\(try RecordCoding.eventID(from: $0[0], what: "row")) \($0[1] as String)" }
        }
        #expect(released == ["\(eventID(1)) a", "\(eventID(1)) c"])
    }

    /// A completion takes the releases recorded by earlier transactions with it (the writer
    /// probes `outbox_released` once per transaction and skips the per-event deletes only when
    /// it is empty), and those recorded in the same transaction after the probe.
    @Test(arguments: [true, false])
    func completionRemovesReleasesOfEarlierTransactions(inOneTransaction: Bool) async throws {
        SQLiteProcessSettings.applyOnce()
        let queue = try DatabaseQueue()
        let archiveLog = ArchiveLog.inMemory()
        try StoreSchema.migrator(archiveLog: archiveLog).migrate(queue)
        let batches: [StoreBatch] = [
            batch { $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a", "b"], publishedAtMicros: 1_000),
                                    PublishedEvent(envelope: envelope(2), groups: ["a", "b"], publishedAtMicros: 1_001),
                                    PublishedEvent(envelope: envelope(3), groups: ["a"], publishedAtMicros: 1_002)] },
            // A completion while no release exists yet: in one transaction, the probe comes first.
            batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(3), group: "a")]
                $0.completed = [eventID(3)]
            },
            batch { $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "a"), DeliveryProgress(eventID: eventID(2), group: "a")] },
            batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "b")]
                $0.completed = [eventID(1)]
            },
        ]
        for transaction in inOneTransaction ? [batches] : batches.map({ [$0] }) {
            try await queue.write { db in
                var writer = BatchWriter(db: db, nodeID: "node-a", archiveLog: archiveLog, archiveCapacity: 100)
                for batch in transaction { try writer.apply(batch) }
            }
        }
        let released = try await queue.read { db in
            try Row.fetchAll(db, sql: #"SELECT event_id, "group" FROM outbox_released"#)
                .map { "\(try RecordCoding.eventID(from: $0[0], what: "row")) \($0[1] as String)" }
        }
        #expect(released == ["\(eventID(2)) a"])
    }
}
