import Foundation
import GRDB
import NIOCore
import Testing
import Troupe
@testable import TroupeStore
import TroupeWire

/// The archive's entries in blocks (schema v8): the block's bytes, a store whose entries span
/// many blocks, and a v7 archive migrated into blocks.
@Suite("Archive index blocks")
struct ArchiveIndexBlockTests {
    @Test func entriesReadBackInOrderAndTheBlobDecodesToTheSameBlock() throws {
        var block = ArchiveIndexBlock(firstSeq: 41)
        for n in 0 ..< ArchiveIndexBlock.capacity {
            #expect(!block.isFull)
            block.append(correlationID: EventID(high: UInt64(n) << 40 | 7, low: ~UInt64(n)), position: Int64(n) * 1_000_003)
        }
        #expect(block.isFull && block.count == 128 && block.nextSeq == 41 + 128)
        #expect(block.holds(41) && block.holds(168) && !block.holds(40) && !block.holds(169))
        #expect(block.correlationID(at: 5) == EventID(high: 5 << 40 | 7, low: ~5))
        #expect(block.position(at: 127) == 127 * 1_000_003)
        #expect(block.blob.count == 128 * 24)
        #expect(try ArchiveIndexBlock(firstSeq: 41, decoding: block.blob) == block)
    }

    @Test(arguments: [nil, Data(), Data(count: 23), Data(count: 25), Data(count: 129 * 24)])
    func aBlobThatIsNotOneToACapacityOfWholeEntriesIsACorruptRecord(blob: Data?) {
        let error = #expect(throws: StoreError.self) { try ArchiveIndexBlock(firstSeq: 1, decoding: blob) }
        #expect(error?.code == .corruptRecord)
        #expect(error?.message.contains("archive block at seq 1") == true)
    }

    /// Commits of one entry fill the newest block (rewriting its row) before another starts, a
    /// large commit spreads over several blocks, and a reopened store continues the newest
    /// block; timelines and the newest entries read across all of them.
    @Test func entriesFillTheNewestBlockAndTimelinesReadAcrossBlocks() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            var store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            // Correlations 1 and 2 alternate, so each timeline takes entries from every block.
            func event(_ n: UInt64) -> Envelope { envelope(n, correlation: eventID(n % 2 + 1)) }
            for n: UInt64 in 1 ... 3 {
                try await store.apply(batch { $0.handled = [handled(event(n), key: IdempotencyKey("k\(n)"))] })
            }
            #expect(try await blocks(of: store) == [Shape(firstSeq: 1, count: 3)])
            try await store.apply(batch {
                $0.published = (4 ... 300).map { PublishedEvent(envelope: event($0), groups: [], publishedAtMicros: 2_000) }
            })
            #expect(try await blocks(of: store) == [Shape(firstSeq: 1, count: 128), Shape(firstSeq: 129, count: 128), Shape(firstSeq: 257, count: 44)])
            try store.close()

            store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            try await store.apply(batch { $0.handled = [handled(event(301), key: "k301")] })
            #expect(try await blocks(of: store).last == Shape(firstSeq: 257, count: 45))
            let odd = try await store.archivedEvents(correlationID: eventID(2))
            #expect(odd.map(\.envelope.eventID) == stride(from: 1, through: 301, by: 2).map { eventID($0) })
            #expect(odd.first?.direction == .handled && odd[2].direction == .published)
            #expect(try await store.archivedEvents(correlationID: eventID(1)).count == 150)
            #expect(try await store.recentArchivedEvents(limit: 130).map(\.envelope.eventID) == (172 ... 301).map { eventID($0) })
            try store.close()
        }
    }

    /// With a capacity of 0 every commit's entries go at once: no block holds the horizon, every
    /// block up to it is deleted, and a reopened store numbers its next entries after it.
    @Test func aZeroCapacityKeepsNoEntryAndNeverGivesASeqTwice() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            var store = try SQLiteNodeStore(path: path, nodeID: "node-a", archiveCapacity: 0)
            for n: UInt64 in 1 ... 3 {
                try await store.apply(batch { $0.handled = [handled(envelope(n), key: IdempotencyKey("k\(n)"))] })
            }
            #expect(try await store.recentArchivedEvents(limit: 10).isEmpty)
            #expect(try await blocks(of: store).isEmpty)
            try store.close()

            store = try SQLiteNodeStore(path: path, nodeID: "node-a", archiveCapacity: 1)
            try await store.apply(batch { $0.handled = [handled(envelope(4), key: "k4")] })
            #expect(try await blocks(of: store) == [Shape(firstSeq: 4, count: 1)])
            #expect(try await store.recentArchivedEvents(limit: 10).map(\.envelope.eventID) == [eventID(4)])
            try store.close()
        }
    }

    /// A v7 archive (a row per entry) becomes blocks of consecutive seqs: a gap in the seqs
    /// starts a new block, the horizon is the oldest entry, and new entries follow.
    @Test func aVersion7ArchiveMovesIntoBlocks() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let log = try ArchiveLog(directory: "\(path)-archive")
            let old = try database(at: path, migratedUpTo: "v7: outbox rows name their record in the archive log", archiveLog: log)
            let seqs: [Int64] = Array(10 ... 150) + Array(200 ... 205)
            try await old.write { db in
                var records = ByteBuffer()
                for seq in seqs {
                    let position = Int64(records.readableBytes)
                    let env = envelope(UInt64(seq), correlation: eventID(UInt64(seq % 3)))
                    _ = try ArchiveRecord.append(seq: seq, envelope: env, direction: .published, nodeID: "node-a", group: "",
                                                 atMicros: seq, to: &records)
                    try db.execute(sql: "INSERT INTO archive (seq, correlation_id, position) VALUES (?, ?, ?)",
                                   arguments: [seq, RecordCoding.blob(of: env.correlationID), position])
                }
                try log.write(records, at: 0)
            }
            try old.close()

            let store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            #expect(try await blocks(of: store) == [Shape(firstSeq: 10, count: 128), Shape(firstSeq: 138, count: 13), Shape(firstSeq: 200, count: 6)])
            let horizon = try await store.writer.read { db in try Int64.fetchOne(db, sql: "SELECT first_kept_seq FROM archive_horizon") }
            #expect(horizon == 10)
            #expect(try await store.archivedEvents(correlationID: eventID(0)).map(\.envelope.eventID)
                == seqs.filter { $0 % 3 == 0 }.map { eventID(UInt64($0)) })
            try await store.apply(batch { $0.published = [PublishedEvent(envelope: envelope(999, correlation: eventID(0)), groups: [], publishedAtMicros: 1)] })
            #expect(try await blocks(of: store).last == Shape(firstSeq: 200, count: 7))
            #expect(try await store.recentArchivedEvents(limit: 2).map(\.envelope.eventID) == [eventID(205), eventID(999)])
            try store.close()
        }
    }

    struct Shape: Equatable, CustomStringConvertible {
        let firstSeq: Int64
        let count: Int
        var description: String { "\(firstSeq)+\(count)" }
    }

    private func blocks(of store: SQLiteNodeStore) async throws -> [Shape] {
        try await store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT first_seq, entries FROM archive_block ORDER BY first_seq").map { row in
                let block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
                return Shape(firstSeq: block.firstSeq, count: block.count)
            }
        }
    }
}
