import NIOCore
import Synchronization
import Troupe
import TroupeWire

/// The archive's records, appended to a log beside the database instead of stored in its
/// b-trees (schema v6): the database keeps, per entry, only its seq, its correlation id (for
/// timelines) and its record's position here — since schema v8 in blocks of consecutive
/// entries (``ArchiveIndexBlock``).
///
/// Why: the archive row of every event, with its whole envelope, on both nodes, was most of
/// what a durable node wrote. Read back from the WAL (`Benchmarks/wal-pages.py`), archive
/// leaves were 62% of a publisher's and 51% of a subscriber's pages per commit; each page went
/// into the WAL, then was read and copied into the database file by a checkpoint. A record
/// appended here is written once, with the commit's other records in one call, and never
/// copied. Measured with probe builds not kept (`troupe bench --mode durable --msgs 150000`,
/// 4 alternating rounds): 81.1k events/s as stored in v5, 102.5k with archive rows that kept
/// every column but the envelope, 119.8k with no archive at all. This log, side by side with
/// v5 (4 alternating rounds): 88.6k → 100.2k events/s (Benchmarks/README.md, nineteenth round).
///
/// **Positions.** A record's position is a byte offset in one endless log, cut into segments
/// of ``segmentSize`` bytes: segment `n` holds positions `n × segmentSize` up to the next
/// segment's first. A record may cross from one segment into the next. Retention removes whole
/// segments once no entry names a position in them.
///
/// **Atomic with the database.** Only the store's writer appends, inside its write transaction
/// and before it commits; the rows naming the records are in the same transaction. So a record
/// no committed row names — the tail a rolled-back transaction or a crash left — is never read,
/// and the next transaction writes over it (``discard(after:)`` cuts it when a writer starts).
/// Readers read only the positions their read transaction's rows name, which were written
/// before those rows were committed.
///
/// **Durability.** Under `synchronous = FULL` the writer syncs the log before each commit.
/// Under `NORMAL` (no sync per commit, as SQLite does with its WAL) the store's checkpointer
/// syncs it before each checkpoint makes the WAL's rows part of the database file.
///
/// One process applies batches to a store at a time (as for the rest of its writer's
/// knowledge); other processes (the CLI's `trace`, `dlq`) read.
final class ArchiveLog: Sendable {
    /// 8 MiB: about 16 000 records of 256-byte events, so the default archive capacity
    /// (250 000 entries) spans about 16 segments and retention frees about 6% at a time.
    static let defaultSegmentSize: Int64 = 8 << 20

    /// Bytes per segment.
    let segmentSize: Int64
    private let segments: any ArchiveSegmentStore
    /// Segments written since the last ``sync()``.
    private let unsynced = Mutex<Set<Int64>>([])
    /// The lowest segment that may exist (nil: not listed yet), so retention removes each
    /// segment once without listing the directory per commit.
    private let lowestSegment = Mutex<Int64?>(nil)

    /// A log in the directory `path` (created if needed).
    convenience init(directory path: String, segmentSize: Int64 = ArchiveLog.defaultSegmentSize) throws(StoreError) {
        self.init(segments: try ArchiveSegmentDirectory(path: path), segmentSize: segmentSize)
    }

    /// A log that keeps its segments in memory.
    static func inMemory(segmentSize: Int64 = ArchiveLog.defaultSegmentSize) -> ArchiveLog {
        ArchiveLog(segments: ArchiveSegmentMemory(), segmentSize: segmentSize)
    }

    init(segments: any ArchiveSegmentStore, segmentSize: Int64) {
        precondition(segmentSize > 0, "segmentSize must be positive")
        self.segments = segments
        self.segmentSize = segmentSize
    }

    /// Writes `records` (whole records, back to back) at `position`.
    func write(_ records: ByteBuffer, at position: Int64) throws(StoreError) {
        var position = position
        var remaining = records
        while remaining.readableBytes > 0 {
            let segment = position / segmentSize
            let offset = position % segmentSize
            let count = Int(min(Int64(remaining.readableBytes), segmentSize - offset))
            try remaining.withUnsafeReadableBytes { bytes throws(StoreError) in
                try segments.write(UnsafeRawBufferPointer(rebasing: bytes.prefix(count)), to: segment, at: offset)
            }
            unsynced.withLock { _ = $0.insert(segment) }
            remaining.moveReaderIndex(forwardBy: count)
            position += Int64(count)
        }
    }

    /// Makes every record written so far durable.
    func sync() throws(StoreError) {
        let written = unsynced.withLock { written in
            defer { written.removeAll(keepingCapacity: true) }
            return written
        }
        var remaining = written.sorted()[...]
        do {
            while let segment = remaining.first {
                try segments.sync(segment)
                remaining = remaining.dropFirst()
            }
        } catch {
            // Not synced: the next sync tries them again.
            unsynced.withLock { $0.formUnion(remaining) }
            throw error
        }
    }

    /// The bytes at `position`: exactly `count` of them, or nil when a segment holding them was
    /// removed (retention) or they end before `count` (a corrupt or cut log; the caller says so).
    private func bytes(at position: Int64, count: Int) throws(StoreError) -> ByteBuffer? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let segment = (position + Int64(done)) / segmentSize
            let offset = (position + Int64(done)) % segmentSize
            let want = Int(min(Int64(count - done), segmentSize - offset))
            let start = done
            let got = try bytes.withUnsafeMutableBytes { target in
                Result { () throws(StoreError) in
                    try segments.read(from: segment, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: target[start ..< start + want]))
                }
            }.get()
            guard let got, got == want else { return nil }
            done += got
        }
        return ByteBuffer(bytes: bytes)
    }

    /// Whether the segment holding `position` is gone: retention removed it, so the entry that
    /// named it was trimmed after the reader's transaction began.
    private func wasRemoved(_ position: Int64) throws(StoreError) -> Bool {
        guard let lowest = try segments.segments().first else { return true }
        return position / segmentSize < lowest
    }

    /// The envelope of outbox event `id`, whose row names its record at `position` (schema v7).
    /// Retention copies an owed event's envelope into its row before removing the segment, so a
    /// missing record, or one of another event, is a ``StoreError/Code/corruptRecord``.
    func envelope(ofOutboxEvent id: EventID, at position: Int64) throws(StoreError) -> Envelope {
        let found: ArchiveRecord?
        do {
            found = try record(at: position, seq: nil)
        } catch {
            throw StoreError(code: error.code, message: "outbox event \(id): \(error.message)")
        }
        guard let found, found.event.envelope.eventID == id else {
            throw StoreError(code: .corruptRecord, message: "outbox event \(id): the archive log holds no record of it at position \(position)")
        }
        return found.event.envelope
    }

    /// The record of entry `seq` (nil: any entry) at `position`; nil when retention removed its
    /// segment after the caller's transaction read the entry. Throws
    /// ``StoreError/Code/corruptRecord`` when the bytes there are not that entry's record.
    func record(at position: Int64, seq: Int64?) throws(StoreError) -> ArchiveRecord? {
        func missing() throws(StoreError) -> ArchiveRecord? {
            if try wasRemoved(position) { return nil }
            throw StoreError(code: .corruptRecord, message: "the archive log ends before the record at position \(position)")
        }
        guard var whole = try bytes(at: position, count: ArchiveRecord.headerLength) else { return try missing() }
        let length = whole.withUnsafeReadableBytes { ArchiveRecord.bodyLength(ofHeader: $0) } ?? 0
        let bodyStart = position + Int64(ArchiveRecord.headerLength)
        // A damaged header may announce up to 4 GiB: the log's length is checked before that
        // much is allocated and read.
        guard try holds(count: length, from: bodyStart) else {
            if try wasRemoved(position) { return nil }
            throw StoreError(code: .corruptRecord,
                             message: "the archive record at log position \(position) announces \(length) bytes, more than the log holds")
        }
        guard var body = try bytes(at: bodyStart, count: length) else { return try missing() }
        whole.writeBuffer(&body)
        return try ArchiveRecord(decoding: whole, position: position, expectedSeq: seq)
    }

    /// Whether the log reaches `start + count`: the segment holding the last of those bytes is
    /// long enough (a segment missing before it still makes the read come back short).
    private func holds(count: Int, from start: Int64) throws(StoreError) -> Bool {
        guard count > 0 else { return true }
        let last = start + Int64(count) - 1
        return try segments.length(of: last / segmentSize) > last % segmentSize
    }

    /// The length of the whole record at `position` (header included), from its header.
    func recordLength(at position: Int64) throws(StoreError) -> Int {
        guard let header = try bytes(at: position, count: ArchiveRecord.headerLength),
              let length = header.withUnsafeReadableBytes({ ArchiveRecord.bodyLength(ofHeader: $0) })
        else {
            throw StoreError(code: .corruptRecord, message: "the archive log ends before the record header at position \(position)")
        }
        return ArchiveRecord.headerLength + length
    }

    /// One past the last byte of the last segment present (0: none): where a writer starts
    /// when no entry names a record.
    func endOfSegments() throws(StoreError) -> Int64 {
        guard let last = try segments.segments().last else { return 0 }
        return last * segmentSize + (try segments.length(of: last))
    }

    /// Cuts everything from `end` on: the tail no committed entry names. A writer calls it
    /// inside its first write transaction, before appending at `end`.
    func discard(after end: Int64) throws(StoreError) {
        let keep = end / segmentSize
        for segment in try segments.segments() where segment > keep {
            try segments.remove(segment)
        }
        try segments.truncate(keep, to: end % segmentSize)
    }

    /// The first position of the oldest segment present (the log's end when none is): the
    /// oldest record a reader can still find.
    func firstKeptPosition() throws(StoreError) -> Int64 {
        let lowest = try lowestSegment.withLock { lowest throws(StoreError) -> Int64? in
            if let lowest { return lowest }
            lowest = try segments.segments().first
            return lowest
        }
        guard let lowest else { return try endOfSegments() }
        return lowest * segmentSize
    }

    /// Removes the segments that hold only positions before `position` (the oldest position an
    /// entry still names, or the log's end when none does).
    func removeSegments(before position: Int64) throws(StoreError) {
        let first = position / segmentSize
        let lowest = try lowestSegment.withLock { lowest throws(StoreError) -> Int64 in
            if let lowest { return lowest }
            return try segments.segments().first ?? first
        }
        guard lowest < first else { return }
        for segment in lowest ..< first {
            try segments.remove(segment)
            unsynced.withLock { _ = $0.remove(segment) }
        }
        lowestSegment.withLock { $0 = first }
    }

    /// Lets go of the log's open files.
    func close() {
        segments.close()
    }
}
