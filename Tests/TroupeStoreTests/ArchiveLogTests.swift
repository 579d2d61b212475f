import Foundation
import GRDB
import NIOCore
import Synchronization
import Testing
import Troupe
import TroupeWire

@testable import TroupeStore

/// The archive log beside a file store's database (schema v6): records, segments, and what a
/// crash or a rolled-back transaction leaves in it.
@Suite("Archive log")
struct ArchiveLogTests {
    private func record(_ n: UInt64, seq: Int64, group: String = "billing", into buffer: inout ByteBuffer) throws -> Int {
        try ArchiveRecord.append(seq: seq, envelope: envelope(n), direction: .handled, nodeID: "node-a", group: group,
                                 atMicros: 1_000 + Int64(n), to: &buffer)
    }

    @Test
    func aRecordReadsBackAsWrittenAndAnyFlippedByteIsACorruptRecord() throws {
        var buffer = ByteBuffer()
        let length = try record(7, seq: 42, into: &buffer)
        #expect(length == buffer.readableBytes)
        let decoded = try ArchiveRecord(decoding: buffer, position: 0, expectedSeq: 42)
        #expect(decoded.seq == 42)
        #expect(decoded.event.envelope == envelope(7))
        #expect(decoded.event.direction == .handled)
        #expect(decoded.event.nodeID == "node-a")
        #expect(decoded.event.group == "billing")
        #expect(decoded.event.atMicros == 1_007)

        // The entry that names it must be the one it holds.
        #expect(throws: StoreError.self) { try ArchiveRecord(decoding: buffer, position: 0, expectedSeq: 43) }
        for index in [0, 5, 9, 20, length - 1] {
            var flipped = buffer
            flipped.setInteger(flipped.getInteger(at: index, as: UInt8.self)! ^ 0x10, at: index)
            let error = #expect(throws: StoreError.self) { try ArchiveRecord(decoding: flipped, position: 0, expectedSeq: 42) }
            #expect(error?.code == .corruptRecord, "byte \(index)")
        }
    }

    @Test
    func recordsCrossSegmentBoundariesAndRetentionRemovesWholeSegments() throws {
        let log = ArchiveLog.inMemory(segmentSize: 256)
        var buffer = ByteBuffer()
        var positions: [Int64] = []
        for n: UInt64 in 1 ... 6 {
            positions.append(Int64(buffer.readableBytes))
            _ = try record(n, seq: Int64(n), into: &buffer)
        }
        // Two writes, as two transactions would make them.
        let half = positions[3]
        try log.write(buffer.getSlice(at: 0, length: Int(half))!, at: 0)
        try log.write(buffer.getSlice(at: Int(half), length: buffer.readableBytes - Int(half))!, at: half)
        #expect(try log.endOfSegments() == Int64(buffer.readableBytes))
        for (index, position) in positions.enumerated() {
            let read = try #require(try log.record(at: position, seq: Int64(index + 1)))
            #expect(read.event.envelope == envelope(UInt64(index + 1)))
        }

        // Segments wholly before entry 4's record go; entry 4 and later still read.
        try log.removeSegments(before: positions[3])
        #expect(try log.record(at: positions[0], seq: 1) == nil, "a removed segment reads as trimmed")
        for index in 3 ..< 6 {
            #expect(try log.record(at: positions[index], seq: Int64(index + 1)) != nil)
        }

        // Cut inside the last record: it reads as corrupt, not as trimmed.
        try log.discard(after: positions[5] + 10)
        let error = #expect(throws: StoreError.self) { try log.record(at: positions[5], seq: 6) }
        #expect(error?.code == .corruptRecord)
    }

    /// A damaged header that announces far more than the log holds is a corrupt record, told
    /// from the log's length before that much is allocated or read.
    @Test
    func aHeaderAnnouncingMoreThanTheLogHoldsIsACorruptRecord() throws {
        let log = ArchiveLog.inMemory(segmentSize: 256)
        var buffer = ByteBuffer()
        _ = try record(1, seq: 1, into: &buffer)
        buffer.setInteger(UInt32(0xFFFF_FF00), at: buffer.readerIndex)
        try log.write(buffer, at: 0)
        let error = #expect(throws: StoreError.self) { try log.record(at: 0, seq: 1) }
        #expect(error?.code == .corruptRecord)
        #expect(error?.message.contains("announces 4294967040 bytes, more than the log holds") == true, "\(String(describing: error))")
    }

    /// A crash after the log write and before the commit leaves records no entry names; a
    /// rolled-back transaction too. The writer starts at the end of the last named record,
    /// cuts the rest, and every entry reads back after a reopen.
    @Test(arguments: [SQLiteNodeStore.Synchronous.normal, .full])
    func recordsNoEntryNamesAreCutAndWrittenOver(synchronous: SQLiteNodeStore.Synchronous) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let segment = "\(path)-archive/0000000000000000.segment"
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: synchronous)
            try await store.apply(batch { $0.handled = [handled(envelope(1), key: "k1")] })
            // Refused after its first event was archived: the log holds a record no entry names.
            await #expect(throws: StoreError.self) {
                try await store.apply(batch { $0.handled = [handled(envelope(2), key: "k2"), handled(envelope(3), key: "k1")] })
            }
            try await store.apply(batch { $0.handled = [handled(envelope(4), key: "k4")] })
            let committedLength = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
            try store.close()

            // What a crash between the log write and the commit leaves.
            let handle = try #require(FileHandle(forWritingAtPath: segment))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(repeating: 0xAB, count: 1_000))
            try handle.close()

            let reopened = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: synchronous)
            try await reopened.apply(batch { $0.handled = [handled(envelope(5), key: "k5")] })
            let archived = try await reopened.recentArchivedEvents(limit: 10)
            #expect(archived.map(\.envelope) == [1, 4, 5].map { envelope($0) })
            #expect(archived.map(\.group) == ["billing", "billing", "billing"])
            let length = try #require(FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
            #expect(length > committedLength && length < committedLength + 1_000, "the garbage was cut, record 5 written in its place")
            try reopened.close()
        }
    }

    @Test
    func retentionRemovesTheSegmentsOfTrimmedEntries() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: .normal, archiveCapacity: 5,
                                            checkpointer: WALCheckpointer(path: path), archiveSegmentSize: 2_048)
            for n: UInt64 in 1 ... 100 {
                try await store.apply(batch {
                    $0.published = [PublishedEvent(envelope: envelope(n), groups: ["billing"], publishedAtMicros: Int64(n))]
                })
                try await store.apply(batch { $0.completed = [eventID(n)] })
            }
            #expect(try await store.recentArchivedEvents(limit: 10).map(\.envelope) == (96 ... 100).map { envelope($0) })
            let segments = try FileManager.default.contentsOfDirectory(atPath: "\(path)-archive")
            // Five records of ~300 bytes span at most two segments of 2 KiB; 100 records made ~15.
            #expect(!segments.isEmpty && segments.count <= 2, "\(segments.sorted())")
            try store.close()
        }
    }

    /// A database of schema v5 keeps its archive rows as records in the log, and an outbox
    /// event still finds its envelope through its entry.
    @Test
    func aVersion5ArchiveMovesIntoTheLog() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.sqlite").path
            let old = try database(at: path, migratedUpTo: "v5: outbox envelopes kept by the archive")
            try await old.write { db in
                var scratch = ByteBuffer()
                for n: UInt64 in 1 ... 3 {
                    let env = envelope(n, correlation: eventID(n == 3 ? 9 : 1))
                    try db.execute(sql: """
                        INSERT INTO archive (seq, event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope)
                        VALUES (?, ?, ?, NULL, 'Ping', ?, 'node-a', ?, ?, ?)
                        """, arguments: [Int64(n), RecordCoding.blob(of: eventID(n)), RecordCoding.blob(of: env.correlationID),
                                         n == 1 ? "handled" : "published", n == 1 ? "billing" : "", Int64(1_000 + n),
                                         try RecordCoding.blob(of: env, scratch: &scratch)])
                }
                var pending = ByteBuffer()
                PendingGroups(groups: ["billing"]).encode(into: &pending)
                try db.execute(sql: "INSERT INTO outbox (event_id, published_at, parked, pending, archive_seq) VALUES (?, 1002, 0, ?, 2)",
                               arguments: [RecordCoding.blob(of: eventID(2)), Data(pending.readableBytesView)])
            }
            try old.close()

            let store = try SQLiteNodeStore(path: path, nodeID: "node-a")
            let timeline = try await store.archivedEvents(correlationID: eventID(1))
            #expect(timeline.map(\.envelope) == [1, 2].map { envelope($0, correlation: eventID(1)) })
            #expect(timeline.map(\.direction) == [.handled, .published])
            #expect(timeline.map(\.group) == ["billing", ""])
            #expect(timeline.map(\.atMicros) == [1_001, 1_002])
            #expect(try await store.archivedEvents(correlationID: eventID(9)).map(\.envelope.eventID) == [eventID(3)])
            #expect(try await store.loadSnapshot(nowMicros: 0).outbox.map(\.envelope) == [envelope(2, correlation: eventID(1))])
            // New entries follow the migrated ones.
            try await store.apply(batch { $0.handled = [handled(envelope(4, correlation: eventID(1)), key: "k4")] })
            #expect(try await store.archivedEvents(correlationID: eventID(1)).count == 3)
            try store.close()
        }
    }

    /// Under NORMAL the archive log is synced before each checkpoint makes the WAL's rows part
    /// of the database; a checkpoint whose preparation fails is not run.
    @Test
    func aCheckpointRunsOnlyOnceItsPreparationSucceeded() async throws {
        final class Gate: Sendable {
            let calls = Atomic<Int>(0)
            let open = Atomic<Bool>(false)
        }
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let checkpointer = WALCheckpointer(path: path, backgroundThreshold: 20, writerThreshold: 1_000_000)
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: .normal, checkpointer: checkpointer)
            let gate = Gate()
            // In place of the store's own preparation (the log's sync), one that can fail.
            checkpointer.beforeEachCheckpoint {
                gate.calls.add(1, ordering: .relaxed)
                return gate.open.load(ordering: .relaxed)
            }
            var n: UInt64 = 0
            func commit() async throws {
                n += 1
                try await store.apply(batch { $0.handled = [handled(envelope(n), key: IdempotencyKey("k\(n)"))] })
            }
            while gate.calls.load(ordering: .relaxed) == 0, n < 5_000 { try await commit() }
            #expect(gate.calls.load(ordering: .relaxed) > 0)
            for _ in 0 ..< 100 { try await commit() }
            #expect(checkpointer.backgroundCheckpoints == 0, "no checkpoint without its preparation")
            gate.open.store(true, ordering: .relaxed)
            while checkpointer.backgroundCheckpoints == 0, n < 10_000 { try await commit() }
            #expect(checkpointer.backgroundCheckpoints > 0)
            try store.close()
        }
    }

    /// The preparation a checkpoint runs is the one installed, not something grown from it.
    /// Reading the closure out of a generic mutex once wrapped the stored closure in two more
    /// reabstraction thunks on every attempt: memory grew under load, and each attempt called
    /// through all the earlier wrappers until the stack overflowed. Measured here as the call
    /// depth at which the preparation runs, which must not grow from attempt to attempt.
    @Test
    func aCheckpointsPreparationRunsAtTheSameDepthEveryTime() async throws {
        final class Depths: Sendable {
            let attempts = Atomic<Int>(0)
            let least = Atomic<Int>(.max)
            let most = Atomic<Int>(0)
        }
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("node-a.sqlite").path
            let checkpointer = WALCheckpointer(path: path, backgroundThreshold: 20, writerThreshold: 40)
            let store = try SQLiteNodeStore(path: path, nodeID: "node-a", synchronous: .normal, checkpointer: checkpointer)
            let depths = Depths()
            // glibc's `backtrace(3)`, which the Glibc module does not import.
            typealias Backtrace = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int32) -> Int32
            let backtrace = unsafeBitCast(try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "backtrace")), to: Backtrace.self)
            checkpointer.beforeEachCheckpoint {
                var frames = [UnsafeMutableRawPointer?](repeating: nil, count: 8_192)
                let depth = Int(backtrace(&frames, Int32(frames.count)))
                depths.least.min(depth, ordering: .relaxed)
                depths.most.max(depth, ordering: .relaxed)
                depths.attempts.add(1, ordering: .relaxed)
                return true
            }
            var n: UInt64 = 0
            while depths.attempts.load(ordering: .relaxed) < 300, n < 50_000 {
                n += 1
                try await store.apply(batch { $0.handled = [handled(envelope(n), key: IdempotencyKey("k\(n)"))] })
            }
            #expect(depths.attempts.load(ordering: .relaxed) >= 300)
            // The writer's and the background connection's paths differ by a few dozen frames;
            // the wrappers added two per attempt, 600 after 300 attempts.
            let spread = depths.most.load(ordering: .relaxed) - depths.least.load(ordering: .relaxed)
            #expect(spread < 100, "the preparation ran \(spread) frames deeper on a later attempt")
            try store.close()
        }
    }
}
