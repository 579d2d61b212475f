import Foundation
import GRDB
import GRDBSQLite
import NIOCore
import Testing
import Troupe
@testable import TroupeStore
import TroupeWire
import TroupeTestSupport

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
                // The outbox row's own copy (as retention leaves it) is garbage.
                try db.execute(sql: "UPDATE outbox SET envelope = ?, archive_position = NULL", arguments: [Data("garbage, not a frame".utf8)])
                // A valid frame with one body byte flipped: the CRC catches it.
                try db.execute(sql: "UPDATE dead_letter SET envelope = substr(envelope, 1, 20) || x'FF' || substr(envelope, 22)")
                // Entries naming the wrong place in the archive log: the record's checks catch it.
                for row in try Row.fetchAll(db, sql: "SELECT first_seq, entries FROM archive_block") {
                    let block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
                    var shifted = ArchiveIndexBlock(firstSeq: block.firstSeq)
                    for index in 0 ..< block.count {
                        shifted.append(correlationID: block.correlationID(at: index), position: block.position(at: index) + 1)
                    }
                    try db.execute(sql: "UPDATE archive_block SET entries = ? WHERE first_seq = ?", arguments: [shifted.blob, block.firstSeq])
                }
            }
            let snapshotError = await #expect(throws: StoreError.self) { try await store.loadSnapshot(nowMicros: 0) }
            #expect(snapshotError?.code == .corruptRecord)
            let lettersError = await #expect(throws: StoreError.self) { try await store.deadLetters() }
            #expect(lettersError?.code == .corruptRecord)
            let archiveError = await #expect(throws: StoreError.self) { try await store.recentArchivedEvents(limit: 5) }
            #expect(archiveError?.code == .corruptRecord)
        }
    }

    /// The writer numbers archive rows and knows whether `outbox_released` is empty from one
    /// commit to the next (``WriterKnowledge``): what a commit learned is kept, what a
    /// rolled-back transaction did is not.
    @Test(arguments: StoreKind.sqlite)
    func theWriterKeepsWhatCommitsLearnedAndNothingOfARollback(kind: StoreKind) async throws {
        try await withSQLiteStore(kind) { store in
            // The first completion finds no release, and says so for later commits.
            try await store.apply(batch { $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a"], publishedAtMicros: 100)] })
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "a")]
                $0.completed = [eventID(1)]
            })
            // Refused (its second key is live) after archiving its first event: that row's seq
            // is given again.
            try await store.apply(batch { $0.handled = [handled(envelope(2), key: "k", expiresAt: 50_000)] })
            await #expect(throws: StoreError.self) {
                try await store.apply(batch {
                    $0.handled = [handled(envelope(3), key: "fresh", expiresAt: 60_000), handled(envelope(4), key: "k", expiresAt: 60_000)]
                })
            }
            // A release in one commit, the completion that must take it in a later one.
            try await store.apply(batch { $0.published = [PublishedEvent(envelope: envelope(5), groups: ["a", "b"], publishedAtMicros: 300)] })
            try await store.apply(batch { $0.acknowledged = [DeliveryProgress(eventID: eventID(5), group: "a")] })
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(5), group: "b")]
                $0.completed = [eventID(5)]
            })
            let (released, seqs) = try await store.writer.read { db in
                (try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox_released") ?? -1,
                 try Row.fetchAll(db, sql: "SELECT first_seq, entries FROM archive_block ORDER BY first_seq").flatMap { row in
                     let block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
                     return (0 ..< block.count).map { block.firstSeq + Int64($0) }
                 })
            }
            #expect(released == 0)
            #expect(seqs == [1, 2, 3])
            #expect(try await store.recentArchivedEvents(limit: 10).map(\.envelope.eventID) == [1, 2, 5].map(eventID))
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.isEmpty)
        }
    }

    @Test(arguments: StoreKind.sqlite)
    func anOutboxRowNamingNoRecordOfItsEventIsACorruptRecord(kind: StoreKind) async throws {
        try await withSQLiteStore(kind) { store in
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(1), groups: ["a"], publishedAtMicros: 100),
                                PublishedEvent(envelope: envelope(2), groups: ["a"], publishedAtMicros: 200)]
            })
            // The outbox row names its record in the archive log (schema v7).
            #expect(try await outboxRowsHoldingTheirEnvelope(store) == [false, false])
            // Event 2's row names event 1's record; event 1's row a position inside it.
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE outbox SET archive_position = (SELECT min(archive_position) FROM outbox)")
            }
            let error = await #expect(throws: StoreError.self) { try await store.loadSnapshot(nowMicros: 0) }
            #expect(error?.code == .corruptRecord)
            #expect(error?.message.contains("outbox event \(eventID(2))") == true)
            try await store.writer.write { db in try db.execute(sql: "UPDATE outbox SET archive_position = archive_position + 1") }
            let inside = await #expect(throws: StoreError.self) { try await store.loadSnapshot(nowMicros: 0) }
            #expect(inside?.code == .corruptRecord)
            #expect(inside?.message.contains("outbox event \(eventID(1))") == true)
        }
    }

    @Test(arguments: StoreKind.sqlite)
    func retentionCopiesAnOwedEventsEnvelopeIntoItsOutboxRowBeforeDroppingItsArchiveRow(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            // Segments of 256 bytes, shorter than a record: retention removes those of the
            // entries it drops, and owed events must take their envelope first.
            let store = kind == .sqliteFile
                ? try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: .normal, archiveCapacity: 2,
                                      checkpointer: WALCheckpointer(path: path), archiveSegmentSize: 256)
                : try SQLiteNodeStore.inMemory(nodeID: "node-a", archiveCapacity: 2, archiveSegmentSize: 256)
            // Events 1 and 2 stay owed; 3 and 4 come and go; 5 and 6 push 1 and 2 out of the archive.
            try await store.apply(batch {
                $0.published = (1 ... 4).map { PublishedEvent(envelope: envelope($0), groups: ["billing"], publishedAtMicros: 1_000 + Int64($0)) }
            })
            try await store.apply(batch { $0.completed = [eventID(3), eventID(4)] })
            try await store.apply(batch {
                $0.published = (5 ... 6).map { PublishedEvent(envelope: envelope($0), groups: ["billing"], publishedAtMicros: 1_000 + Int64($0)) }
            })
            #expect(try await store.recentArchivedEvents(limit: 10).map(\.envelope.eventID) == [eventID(5), eventID(6)])
            #expect(try await outboxRowsHoldingTheirEnvelope(store) == [true, true, false, false])
            let snapshot = try await store.loadSnapshot(nowMicros: 0)
            #expect(snapshot.outbox.map(\.envelope) == [1, 2, 5, 6].map { envelope($0) })
            // The copied rows are acknowledged and completed like any other.
            try await store.apply(batch {
                $0.acknowledged = [DeliveryProgress(eventID: eventID(1), group: "billing")]
                $0.completed = [eventID(2)]
            })
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.map(\.envelope) == [5, 6].map { envelope($0) })
            try store.close()
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
            // FAST (2) on every connection, whatever the SQLite build's default.
            let secureDelete = try await store.writer.read { try Int.fetchOne($0, sql: "PRAGMA secure_delete") }
            #expect(secureDelete == 2)
            let written = try await store.writer.write { try Int.fetchOne($0, sql: "PRAGMA secure_delete") }
            #expect(written == 2)
            try store.close()
        }
    }

    /// SQLite's process-wide memory statistics are off once a store has opened (the first
    /// SQLite connection of this test process is a store's, or comes after
    /// `SQLiteProcessSettings.applyOnce()`): its allocations skip the global mutex, and the
    /// counter those statistics keep stays at zero while a store writes.
    @Test
    func sqliteMemoryStatisticsAreOffForTheProcess() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteNodeStore(path: directory.appendingPathComponent("node-a.sqlite").path, nodeID: "node-a")
            try await store.apply(batch {
                $0.handled = [handled(envelope(1), key: "k1", at: 1_000, expiresAt: 50_000)]
                $0.published = [PublishedEvent(envelope: envelope(2), groups: ["a"], publishedAtMicros: 1_100)]
            })
            #expect(SQLiteProcessSettings.applyOnce())
            #expect(sqlite3_memory_used() == 0)
            try store.close()
        }
    }

    @Test
    func aVersion2DatabaseKeepsItsOutboxAndArchiveThroughTheMigrations() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            // A database as version 2 left it: rows written with that version's tables (an
            // outbox with a rowid, one outbox_group row per owed group, attempts made on one).
            let old = try database(at: path, migratedUpTo: "v2: keyed state records")
            try await old.write { db in
                var scratch = ByteBuffer()
                func row(_ n: UInt64, publishedAt: Int64, parked: Bool) throws -> StatementArguments {
                    [RecordCoding.blob(of: eventID(n)), publishedAt, RecordCoding.blob(of: eventID(1)), parked,
                     try RecordCoding.blob(of: envelope(n, correlation: eventID(1)), scratch: &scratch)]
                }
                let insert = "INSERT INTO outbox (event_id, published_at, correlation_id, parked, envelope) VALUES (?, ?, ?, ?, ?)"
                try db.execute(sql: insert, arguments: row(2, publishedAt: 1_100, parked: false))
                try db.execute(sql: insert, arguments: row(3, publishedAt: 1_050, parked: true))
                try db.execute(sql: insert, arguments: row(5, publishedAt: 1_200, parked: false))  // every group acked
                for (group, attempts) in [("b", 4), ("a", 0)] {
                    try db.execute(sql: #"INSERT INTO outbox_group (event_id, "group", attempts) VALUES (?, ?, ?)"#,
                                   arguments: [RecordCoding.blob(of: eventID(2)), group, attempts])
                }
                try db.execute(sql: "INSERT INTO idempotency (key, event_id, expires_at) VALUES ('k1', ?, 50000)",
                               arguments: [RecordCoding.blob(of: eventID(1))])
                for n: UInt64 in [1, 2, 3] {
                    try db.execute(sql: """
                        INSERT INTO archive (event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope)
                        VALUES (?, ?, NULL, 'Ping', ?, 'node-a', '', ?, ?)
                        """, arguments: [RecordCoding.blob(of: eventID(n)), RecordCoding.blob(of: eventID(1)), n == 1 ? "handled" : "published",
                                         Int64(1_000 + n), try RecordCoding.blob(of: envelope(n, correlation: eventID(1)), scratch: &scratch)])
                }
            }
            try old.close()

            let store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            let snapshot = try await store.loadSnapshot(nowMicros: 2_000)
            #expect(snapshot.outbox.map(\.envelope.eventID) == [eventID(3), eventID(2)])  // by publication time
            #expect(snapshot.outbox.map { $0.pendingGroups.map(\.group) } == [[], ["a", "b"]])
            #expect(snapshot.outbox.map { $0.pendingGroups.map(\.attempts) } == [[], [0, 4]])
            #expect(snapshot.idempotencyKeys == ["k1": 50_000])
            let archived = try await store.archivedEvents(correlationID: eventID(1))
            #expect(archived.map(\.envelope.eventID) == [eventID(1), eventID(2), eventID(3)])

            // New rows go after the old ones; an old outbox event's groups can be acked and the
            // event completed.
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(4, correlation: eventID(1)), groups: ["a"], publishedAtMicros: 3_000)]
                $0.acknowledged = [DeliveryProgress(eventID: eventID(2), group: "a")]
            })
            let acked = try await store.loadSnapshot(nowMicros: 3_500)
            #expect(acked.outbox.map { $0.pendingGroups.map(\.group) } == [[], ["b"], ["a"]])
            #expect(acked.outbox[1].pendingGroups.map(\.attempts) == [4])
            try await store.apply(batch { $0.completed = [eventID(2)] })
            let after = try await store.loadSnapshot(nowMicros: 4_000)
            #expect(after.outbox.map(\.envelope.eventID) == [eventID(3), eventID(4)])
            let archivedAfter = try await store.archivedEvents(correlationID: eventID(1))
            #expect(archivedAfter.map(\.envelope.eventID) == [eventID(1), eventID(2), eventID(3), eventID(4)])
            let schema = try await store.writer.read { db in
                try String.fetchAll(db, sql: "SELECT name || ': ' || sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            }
            #expect(schema.contains { $0.hasPrefix("outbox: ") && $0.contains("pending BLOB") && $0.hasSuffix("WITHOUT ROWID") })
            #expect(!schema.contains { $0.hasPrefix("outbox_group") || $0.hasPrefix("outbox_by_age") })
            #expect(schema.contains { $0.hasPrefix("archive_block: ") })
            #expect(!schema.contains { $0.hasPrefix("archive: ") || $0.hasPrefix("archive_by_correlation") })
            #expect(schema.contains { $0.hasPrefix("outbox: ") && $0.contains("archive_position INTEGER") })
            #expect(!schema.contains { $0.hasPrefix("outbox_by_archive_seq") })
            // Migrated rows (3, and 5 whose groups were all acked) keep their envelope; the new
            // one (4) names its archive row.
            #expect(try await outboxRowsHoldingTheirEnvelope(store) == [true, true, false])
            try store.close()
        }
    }

    /// A v8 database's idempotency records keep working after v9: a key that is an event id
    /// (in its canonical text) is stored as the id's 16 bytes, any other key as text, and both
    /// are still refused as duplicates while live, and replaced once expired.
    @Test
    func aVersion8IdempotencyTableKeepsEveryKeyAndStoresIdsAs16Bytes() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let old = try database(at: path, migratedUpTo: "v8: archive entries in blocks")
            let idKey = eventID(7).description
            let lowercaseID = eventID(8).description.lowercased()
            try await old.write { db in
                for (key, expiresAt) in [(idKey, 50_000), ("order-42", 50_000), (lowercaseID, 50_000), ("gone", 10)] as [(String, Int64)] {
                    try db.execute(sql: "INSERT INTO idempotency (key, event_id, expires_at) VALUES (?, ?, ?)",
                                   arguments: [key, RecordCoding.blob(of: eventID(1)), expiresAt])
                }
            }
            try old.close()

            let store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            let stored = try await store.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT typeof(key), length(key) FROM idempotency ORDER BY expires_at, typeof(key), key")
                    .map { "\($0[0] as String):\($0[1] as Int)" }
            }
            #expect(stored == ["text:4", "blob:16", "text:26", "text:8"])
            let keys = try await store.loadSnapshot(nowMicros: 1_000).idempotencyKeys
            #expect(keys == [IdempotencyKey(eventID: eventID(7)): 50_000, "order-42": 50_000, IdempotencyKey(lowercaseID): 50_000])
            #expect(IdempotencyKey(idKey).eventID == eventID(7) && IdempotencyKey(lowercaseID).eventID == nil)
            for key in [IdempotencyKey(eventID: eventID(7)), "order-42", IdempotencyKey(lowercaseID)] {
                let error = await #expect(throws: StoreError.self) {
                    try await store.apply(batch { $0.handled = [handled(envelope(9), key: key, at: 2_000, expiresAt: 90_000)] })
                }
                #expect(error?.code == .duplicateIdempotencyKey)
                #expect(error?.message.contains("'\(key)'") == true)
            }
            // The expired text key is replaced, a new id key is recorded as 16 bytes.
            try await store.apply(batch {
                $0.handled = [handled(envelope(10), key: "gone", at: 2_000, expiresAt: 90_000),
                              handled(envelope(11), at: 2_000, expiresAt: 90_000)]
            })
            #expect(try await store.loadSnapshot(nowMicros: 60_000).idempotencyKeys
                == ["gone": 90_000, IdempotencyKey(eventID: eventID(11)): 90_000])
            try store.close()
        }
    }

    @Test
    func anOutboxRowWhosePendingGroupsDoNotDecodeIsACorruptRecord() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteNodeStore(path: directory.appendingPathComponent("node-a.sqlite").path, nodeID: "node-a")
            try await store.apply(batch {
                $0.published = [PublishedEvent(envelope: envelope(2), groups: ["a", "b"], publishedAtMicros: 1_100)]
            })
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE outbox SET pending = x'000000' WHERE event_id = ?", arguments: [RecordCoding.blob(of: eventID(2))])
            }
            await #expect { try await store.loadSnapshot(nowMicros: 2_000) } throws: { ($0 as? StoreError)?.code == .corruptRecord }
            // A batch that must rewrite those groups fails whole, and leaves the row as it was.
            await #expect {
                try await store.apply(batch { $0.attemptsMade = [DeliveryProgress(eventID: eventID(2), group: "a", attempts: 2)] })
            } throws: { ($0 as? StoreError)?.code == .corruptRecord }
            let pending = try await store.writer.read { db in
                try Data.fetchOne(db, sql: "SELECT pending FROM outbox WHERE event_id = ?", arguments: [RecordCoding.blob(of: eventID(2))])
            }
            #expect(pending == Data([0, 0, 0]))
            try store.close()
        }
    }

    @Test(arguments: StoreKind.sqlite)
    func batchesWaitingTogetherShareACommitAndARefusedOneFailsAlone(kind: StoreKind) async throws {
        try await withSQLiteStore(kind) { store in
            try await store.apply(batch { $0.handled = [handled(envelope(100), key: "taken", at: 1_000, expiresAt: 50_000)] })
            // Hold the writer so that every apply below is waiting when the next write starts.
            let gate = Gate()
            store.writer.asyncWriteWithoutTransaction { _ in gate.wait() }
            let outcomes = try await withThrowingTaskGroup(of: (Int, StoreError.Code?).self) { group in
                for n in 1...20 {
                    group.addTask {
                        do {
                            try await store.apply(batch {
                                // Batch 7 repeats a live key: it alone is refused.
                                $0.handled = [handled(envelope(UInt64(n)), key: IdempotencyKey(n == 7 ? "taken" : "k\(n)"), at: 2_000, expiresAt: 60_000)]
                                $0.published = [PublishedEvent(envelope: envelope(UInt64(1_000 + n)), groups: ["a"], publishedAtMicros: Int64(2_000 + n))]
                            })
                            return (n, nil)
                        } catch let error as StoreError {
                            return (n, error.code)
                        }
                    }
                }
                do {
                    try #require(await eventually("all 20 batches wait for the same write") { store.commits.waitingCount == 20 })
                } catch {
                    gate.open()  // never leave the writer held: the test must end either way
                    throw error
                }
                gate.open()
                var outcomes: [Int: StoreError.Code?] = [:]
                for try await (n, code) in group { outcomes[n] = code }
                return outcomes
            }
            #expect(outcomes.count == 20)
            #expect(outcomes.filter { $0.value != nil }.map(\.key) == [7])
            #expect(outcomes[7] == .duplicateIdempotencyKey)
            let snapshot = try await store.loadSnapshot(nowMicros: 3_000)
            #expect(snapshot.outbox.count == 19)
            #expect(!snapshot.outbox.contains { $0.envelope.eventID == eventID(1_007) })
            #expect(snapshot.idempotencyKeys.count == 20)  // "taken" and 19 new keys
        }
    }

    /// The WAL is checkpointed off the writer and stays bounded under a stream of commits: with
    /// thresholds of 20 and 200 frames, 800 commits keep the WAL file under 450 frames (200, plus
    /// the commits made while a slow background checkpoint holds the lock; SQLite's own automatic
    /// checkpoint, at 1000 frames, takes it past 1000), background checkpoints ran, and every
    /// event is still there.
    @Test func theWriteAheadLogIsCheckpointedOffTheWriterAndStaysBounded() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let checkpointer = WALCheckpointer(path: path, backgroundThreshold: 20, writerThreshold: 200)
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: .normal, checkpointer: checkpointer)
            var largestWAL: Int64 = 0
            let commits: UInt64 = 800
            for n in 1 ... commits {
                let event = envelope(n)
                try await store.apply(batch {
                    $0.published = [PublishedEvent(envelope: event, groups: ["billing"], publishedAtMicros: Int64(n))]
                    $0.handled = [handled(envelope(100_000 + n))]
                })
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int64) ?? 0
                largestWAL = max(largestWAL, size)
            }
            let pageSize = try await store.writer.read { try Int64.fetchOne($0, sql: "PRAGMA page_size") } ?? 4096
            let bound = 32 + 450 * (pageSize + 24)
            #expect(largestWAL > 0)
            #expect(largestWAL <= bound, "WAL reached \(largestWAL) bytes; bound \(bound)")
            try #require(await eventually("a background checkpoint ran") { checkpointer.backgroundCheckpoints > 0 })
            let snapshot = try await store.loadSnapshot(nowMicros: 0)
            #expect(snapshot.outbox.count == Int(commits))
            #expect(snapshot.idempotencyKeys.count == Int(commits))
            try store.close()
        }
    }

    /// Per outbox row, oldest publication first: whether it holds its envelope itself (true) or
    /// names the archive row that does (false; the schema's `CHECK` allows nothing else).
    private func outboxRowsHoldingTheirEnvelope(_ store: SQLiteNodeStore) async throws -> [Bool] {
        try await store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT archive_position IS NULL AS own FROM outbox ORDER BY published_at").map { $0["own"] as Bool }
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

/// A one-shot gate a GRDB writer block waits on (the writer runs on its own dispatch queue).
private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func wait() { semaphore.wait() }
    func open() { semaphore.signal() }
}

