import Foundation
import GRDB
import NIOCore
import Troupe
import TroupeWire

/// Writes one ``StoreBatch`` inside an open write transaction, in the order documented on
/// ``StoreBatch``. It mirrors `InMemoryNodeStore`'s rules exactly (parked events, re-publishing,
/// dead letters releasing their group); the caller's transaction makes it all-or-nothing.
///
/// Every statement is a cached prepared statement, so a group commit of thousands of events
/// prepares each SQL text once per connection.
struct BatchWriter {
    let db: Database
    let nodeID: String
    /// Where archive records go (``ArchiveLog``), and whether to sync it before the commit.
    let archiveLog: ArchiveLog
    let syncsArchiveLog: Bool
    /// This transaction's archive records, written to the log by ``trim()`` (before the commit),
    /// from ``recordsStart``.
    private var records = ByteBuffer()
    private var recordsStart: Int64 = 0
    /// After ``trim()`` dropped archive entries: the oldest position an entry still names (or
    /// the log's end), before which the store removes the log's segments once it committed.
    private(set) var oldestArchivePosition: Int64?
    /// The log positions of the records the last ``archive(_:)`` wrote, in order.
    private var archivedPositions: [Int64] = []
    /// This transaction's archive entries, in blocks, written by ``trim()``; the first block may
    /// continue the newest one stored (`continuesNewestBlock`).
    private var archiveBlocks: [ArchiveIndexBlock] = []
    private var continuesNewestBlock = false
    /// The most archive rows the store keeps (see ``trim()``).
    let archiveCapacity: Int
    /// Reused for every envelope of the batch.
    private var scratch = ByteBuffer()
    /// Reused for every outbox row's pending groups.
    private var pendingScratch = ByteBuffer()
    /// Where the hot statements' text and blob parameters are bound from.
    private let arena = ParameterArena()
    /// Archive rows written by the batches applied so far.
    private var archived = 0
    /// The latest retention-clock reading among the batches applied so far, and how many
    /// expired idempotency records their commit may remove.
    private var retentionNow: Int64?
    private var purgeLimit = 0
    /// The earliest expiry recorded by the batches applied so far.
    private var oldestRecorded = Int64.max
    /// What the writer knows about its tables: given by the store from earlier commits, kept
    /// up to date by this transaction's batches, taken back by the store once it commits.
    private(set) var knowledge: WriterKnowledge

    init(db: Database, nodeID: String, archiveLog: ArchiveLog, syncsArchiveLog: Bool = false, archiveCapacity: Int,
         knowledge: WriterKnowledge = WriterKnowledge()) {
        self.db = db
        self.nodeID = nodeID
        self.archiveLog = archiveLog
        self.syncsArchiveLog = syncsArchiveLog
        self.archiveCapacity = archiveCapacity
        self.knowledge = knowledge
    }

    mutating func apply(_ batch: StoreBatch) throws {
        if let now = batch.retentionNowMicros {
            retentionNow = max(retentionNow ?? now, now)
            purgeLimit += batch.expiredRecordPurgeLimit
            for event in batch.handled { oldestRecorded = min(oldestRecorded, event.expiresAtMicros) }
        }
        archived += batch.handled.count + batch.published.count
        try recordHandled(batch.handled)
        try recordPublished(batch.published)
        for progress in batch.attemptsMade {
            try changePending(of: progress.eventID) { $0.setAttempts(progress.attempts, for: progress.group) }
        }
        // A group acknowledged (and below, dead-lettered) is released: a small row beside the
        // event's, instead of rewriting the event's row (envelope and all) for each of its
        // groups. An event completed in this batch loses its row and releases below, so
        // releasing its groups first would be wasted (the common case: the last group's ack
        // completes the event).
        let releasing = !batch.acknowledged.isEmpty || !batch.deadLetters.isEmpty
        let completing = batch.completed.isEmpty || !releasing ? [] : Set(batch.completed)
        try release(batch.acknowledged.lazy.map { ($0.eventID, $0.group) }, except: completing)
        for progress in batch.targetsAdded {
            try addTarget(progress)
        }
        try release(batch.deadLetters.lazy.map { ($0.envelope.eventID, $0.group) }, except: completing)
        if !batch.completed.isEmpty {
            let remove = try HotStatement("DELETE FROM outbox WHERE event_id = ?", in: db, arena: arena)
            for eventID in batch.completed {
                try remove.bind(eventID, at: 1)
                try remove.execute()
            }
            if try releasedRowsMayExist() {
                let forget = try HotStatement("DELETE FROM outbox_released WHERE event_id = ?", in: db, arena: arena)
                for eventID in batch.completed {
                    try forget.bind(eventID, at: 1)
                    try forget.execute()
                }
            }
        }
        try recordDeadLetters(batch.deadLetters)
        if let interest = batch.interest {
            try replaceInterest(interest)
        }
        for (key, value) in batch.stateRecords {
            if let value {
                try run("INSERT INTO state_record (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
            } else {
                try run("DELETE FROM state_record WHERE key = ?", [key])
            }
        }
        if let state = batch.state {
            try run("INSERT INTO state (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json", [state])
        }
    }

    /// After the transaction's batches: removes the idempotency records that expired by the
    /// latest handled event (at most ``StoreBatch/expiredRecordPurgeLimit`` per batch, oldest
    /// expiry first, through the expiry index), and the archive entries beyond
    /// ``archiveCapacity`` (oldest first, at most ``StoreBatch/trimmingLimit(recorded:)`` of what
    /// this transaction archived, so lowering the capacity of a large archive drains it over
    /// many commits; see ``trimArchive()``). An outbox event whose record is in a log segment
    /// about to go copies its envelope into its own row first, so retention never takes an
    /// event still owed.
    ///
    /// ``knowledge`` says whether either is due, so a commit with nothing to trim — every commit
    /// while the archive is below its capacity and no record has reached its expiry — runs no
    /// statement here. The newest record is never removed (its expiry lies a TTL after the
    /// commit's handling time), so a restarted retention clock still resumes from it.
    mutating func trim() throws {
        try writeArchiveRecords()
        try writeArchiveBlocks()
        if let retentionNow {
            if let known = knowledge.oldestExpiry {
                knowledge.oldestExpiry = min(known, oldestRecorded)
            } else {
                knowledge.oldestExpiry = try oldestExpiry()
            }
            if knowledge.oldestExpiry! <= retentionNow {
                try run("""
                    DELETE FROM idempotency WHERE key IN
                        (SELECT key FROM idempotency WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
                    """, [retentionNow, purgeLimit])
                knowledge.oldestExpiry = try oldestExpiry()
            }
        }
        if archived > 0 {
            try trimArchive()
        }
    }

    /// Keeps the newest ``archiveCapacity`` archive entries: moves the horizon (the oldest entry
    /// kept) up by at most ``StoreBatch/trimmingLimit(recorded:)`` of what this transaction
    /// archived, deletes the blocks wholly below it, and marks for removal the log segments
    /// before the oldest record still named (copying the envelopes of owed events out of them
    /// first). A block the horizon cuts through stays; readers skip its entries below the
    /// horizon.
    private mutating func trimArchive() throws {
        guard let next = knowledge.nextArchiveSeq else { return }
        let horizon = try archiveHorizon()
        guard next - horizon > Int64(archiveCapacity) else { return }
        let newHorizon = min(next - Int64(archiveCapacity), horizon + Int64(StoreBatch.trimmingLimit(recorded: archived)))
        try run("UPDATE archive_horizon SET first_kept_seq = ? WHERE id = 1", [newHorizon])
        knowledge.archiveHorizon = newHorizon
        // The block holding the new horizon (blocks are consecutive runs of seqs, keyed by their
        // first) stays and every block before it goes; with no block holding it, every block
        // up to it goes.
        var oldestNamed: Int64?
        let holding = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT first_seq, entries FROM archive_block WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1"),
            arguments: [newHorizon]
        )
        if let holding {
            let block = try ArchiveIndexBlock(firstSeq: holding[0], decoding: holding[1])
            if block.holds(newHorizon) {
                try run("DELETE FROM archive_block WHERE first_seq < ?", [block.firstSeq])
                oldestNamed = block.position(at: Int(newHorizon - block.firstSeq))
            } else {
                try run("DELETE FROM archive_block WHERE first_seq <= ?", [block.firstSeq])
            }
        }
        if oldestNamed == nil, let following = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT first_seq, entries FROM archive_block WHERE first_seq > ? ORDER BY first_seq LIMIT 1"),
            arguments: [newHorizon]
        ) {
            oldestNamed = try ArchiveIndexBlock(firstSeq: following[0], decoding: following[1]).position(at: 0)
        }
        if let newest = knowledge.newestArchiveBlock, newest.nextSeq <= newHorizon {
            knowledge.newestArchiveBlock = nil
        }
        // No entry left: the log's end, which this transaction's records (written before, as
        // `archived > 0`) set.
        let oldest = oldestNamed ?? knowledge.archiveLogEnd!
        // Segments go whole: those before the one holding the oldest named record.
        let boundary = oldest / archiveLog.segmentSize * archiveLog.segmentSize
        if boundary > (try archiveLog.firstKeptPosition()) {
            try keepEnvelopesOfOwedEvents(before: boundary)
            oldestArchivePosition = boundary
        }
    }

    /// The oldest archive entry retention keeps (``WriterKnowledge/archiveHorizon``).
    private mutating func archiveHorizon() throws -> Int64 {
        if let known = knowledge.archiveHorizon { return known }
        let horizon = try Int64.fetchOne(db.cachedStatement(sql: "SELECT first_kept_seq FROM archive_horizon WHERE id = 1")) ?? 1
        knowledge.archiveHorizon = horizon
        return horizon
    }

    /// Writes this transaction's archive blocks: the newest stored block rewritten when the
    /// first of them continues it, the others inserted.
    private mutating func writeArchiveBlocks() throws {
        guard !archiveBlocks.isEmpty else { return }
        for (index, block) in archiveBlocks.enumerated() {
            if index == 0, continuesNewestBlock {
                try run("UPDATE archive_block SET entries = ? WHERE first_seq = ?", [block.blob, block.firstSeq])
            } else {
                try run("INSERT INTO archive_block (first_seq, entries) VALUES (?, ?)", [block.firstSeq, block.blob])
            }
        }
        knowledge.newestArchiveBlock = archiveBlocks.last
        knowledge.newestArchiveBlockKnown = true
        archiveBlocks = []
        continuesNewestBlock = false
    }

    /// The newest stored archive block (``WriterKnowledge/newestArchiveBlock``), nil when none.
    private mutating func newestArchiveBlock() throws -> ArchiveIndexBlock? {
        if knowledge.newestArchiveBlockKnown { return knowledge.newestArchiveBlock }
        var block: ArchiveIndexBlock?
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT first_seq, entries FROM archive_block ORDER BY first_seq DESC LIMIT 1")) {
            block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
        }
        knowledge.newestArchiveBlock = block
        knowledge.newestArchiveBlockKnown = true
        return block
    }

    /// Adds the entry `seq` to this transaction's blocks: to the newest stored block while it
    /// has room and ends just before `seq`, else to a new one.
    private mutating func appendArchiveEntry(seq: Int64, correlationID: EventID, position: Int64) throws {
        if archiveBlocks.isEmpty {
            if let newest = try newestArchiveBlock(), !newest.isFull, newest.nextSeq == seq {
                archiveBlocks = [newest]
                continuesNewestBlock = true
            } else {
                archiveBlocks = [ArchiveIndexBlock(firstSeq: seq)]
            }
        } else if archiveBlocks[archiveBlocks.count - 1].isFull || archiveBlocks[archiveBlocks.count - 1].nextSeq != seq {
            archiveBlocks.append(ArchiveIndexBlock(firstSeq: seq))
        }
        archiveBlocks[archiveBlocks.count - 1].append(correlationID: correlationID, position: position)
    }

    /// Writes this transaction's archive records into the log (syncing it under `FULL`), before
    /// the transaction that names them commits (``ArchiveLog``: atomic with the database).
    private mutating func writeArchiveRecords() throws {
        guard records.readableBytes > 0 else { return }
        try archiveLog.write(records, at: recordsStart)
        if syncsArchiveLog { try archiveLog.sync() }
        knowledge.archiveLogEnd = recordsStart + Int64(records.readableBytes)
        records.clear()
    }

    /// Copies the envelope of each outbox event whose record lies before `boundary` into its
    /// row, before the store removes those segments, so retention never takes an event still
    /// owed (schema v7). The outbox holds only events in flight; this scan runs once per
    /// segment removed.
    private mutating func keepEnvelopesOfOwedEvents(before boundary: Int64) throws {
        let owed = try Row.fetchAll(db.cachedStatement(sql: "SELECT event_id, archive_position FROM outbox WHERE archive_position < ?"),
                                    arguments: [boundary])
        for row in owed {
            let id = try RecordCoding.eventID(from: row[0], what: "outbox row")
            let envelope = try archiveLog.envelope(ofOutboxEvent: id, at: row[1])
            let blob = try RecordCoding.blob(of: envelope, scratch: &scratch)
            try run("UPDATE outbox SET envelope = ?, archive_position = NULL WHERE event_id = ?", [blob, row[0] as Data])
        }
    }

    /// Where this transaction's first archive record goes: the log's end as the writer knows
    /// it or, the first time, one past the record of the newest entry (or the end of the
    /// segments when none), cutting any tail beyond it that no committed entry names.
    private mutating func archiveLogEnd() throws -> Int64 {
        if let end = knowledge.archiveLogEnd { return end }
        let end: Int64
        if let block = try newestArchiveBlock() {
            let newest = block.position(at: block.count - 1)
            end = newest + Int64(try archiveLog.recordLength(at: newest))
        } else {
            end = try archiveLog.endOfSegments()
        }
        try archiveLog.discard(after: end)
        knowledge.archiveLogEnd = end
        return end
    }

    private func oldestExpiry() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(expires_at) FROM idempotency")) ?? .max
    }

    /// Checks and records each handled event's idempotency key, then archives it. A key recorded
    /// and unexpired at the event's handling time on the node's retention clock (including one
    /// recorded earlier in this batch) throws, and the caller's transaction rolls everything back.
    ///
    /// Keys go in chunks (``MultiRowInsert``) as plain inserts: a handled event's key is new
    /// in the common case. When one of a chunk's keys is already in the table — a duplicate, or
    /// an expired record not yet purged — SQLite undoes that statement alone (the transaction
    /// stays), and the chunk is written again one key at a time, each an upsert that replaces
    /// only an expired record.
    private mutating func recordHandled(_ handled: [HandledEvent]) throws {
        var start = handled.startIndex
        for rows in MultiRowInsert.chunks(of: handled.count) {
            let chunk = handled[start ..< start + rows]
            start += rows
            let insert = try HotStatement(Self.idempotencyInsert.sql(rows: rows), in: db, arena: arena)
            for (row, event) in chunk.enumerated() {
                let first = Int32(row * 2)
                try insert.bind(event.idempotencyKey, at: first + 1)
                try insert.bind(event.expiresAtMicros, at: first + 2)
            }
            do {
                try insert.execute()
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                for event in chunk { try recordKeyReplacingExpired(of: event) }
            }
            try archive(chunk.lazy.map { ($0.envelope, .handled, $0.group, $0.handledAtMicros) })
        }
    }

    /// Records one handled event's key unless a live record holds it, in which case it throws
    /// ``StoreError/Code/duplicateIdempotencyKey``.
    private func recordKeyReplacingExpired(of event: HandledEvent) throws {
        // One statement instead of a lookup and an insert: the row is written unless a live
        // record holds the key, in which case nothing changes.
        let record = try HotStatement("""
            INSERT INTO idempotency (key, expires_at) VALUES (?, ?)
            ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at
            WHERE idempotency.expires_at <= ?
            """, in: db, arena: arena)
        let key = event.idempotencyKey
        try record.bind(key, at: 1)
        try record.bind(event.expiresAtMicros, at: 2)
        try record.bind(event.retentionMicros, at: 3)
        try record.execute()
        guard db.changesCount == 0 else { return }
        let lookup = try db.cachedStatement(sql: "SELECT expires_at FROM idempotency WHERE key = ?")
        let expiresAt = try Int64.fetchOne(lookup, arguments: [RecordCoding.databaseValue(of: key)]) ?? 0
        throw StoreError(
            code: .duplicateIdempotencyKey,
            message: "idempotency key '\(key)' of event \(event.envelope.eventID) is already recorded "
                + "(expires at \(expiresAt) µs, handled at \(event.retentionMicros) µs retention time); batch not applied"
        )
    }

    /// Archives each published event and puts it in the outbox, owing its groups (replacing an
    /// earlier copy and its groups). The outbox row names the event's archive record, which
    /// holds the envelope (schema v7); its rows go in chunks (``MultiRowInsert``).
    private mutating func recordPublished(_ published: [PublishedEvent]) throws {
        var start = published.startIndex
        for rows in MultiRowInsert.chunks(of: published.count) {
            let chunk = published[start ..< start + rows]
            start += rows
            try archive(chunk.lazy.map { ($0.envelope, .published, "", $0.publishedAtMicros) })
            let insert = try HotStatement(Self.outboxInsert.sql(rows: rows), in: db, arena: arena)
            for (row, event) in chunk.enumerated() {
                let first = Int32(row * 5)
                pendingScratch.clear()
                PendingGroups(groups: event.groups).encode(into: &pendingScratch)
                try insert.bind(event.envelope.eventID, at: first + 1)
                try insert.bind(event.publishedAtMicros, at: first + 2)
                try insert.bind(event.groups.isEmpty, at: first + 3)
                try insert.bind(pendingScratch, at: first + 4)
                try insert.bind(archivedPositions[row], at: first + 5)
            }
            do {
                // New events (the common case) have no earlier copy to replace.
                try insert.execute()
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                // SQLite undid this statement alone; the chunk goes in again row by row, each
                // replacing its earlier copy.
                for (row, event) in chunk.enumerated() {
                    pendingScratch.clear()
                    PendingGroups(groups: event.groups).encode(into: &pendingScratch)
                    let id = RecordCoding.blob(of: event.envelope.eventID)
                    try run("DELETE FROM outbox_released WHERE event_id = ?", [id])
                    try run("""
                        INSERT OR REPLACE INTO outbox (event_id, published_at, parked, pending, archive_position)
                        VALUES (?, ?, ?, ?, ?)
                        """, [id, event.publishedAtMicros, event.groups.isEmpty,
                              Data(pendingScratch.readableBytesView), archivedPositions[row]])
                }
            }
        }
    }

    /// Changes the groups written in a known outbox event's row (read, `change`, write back;
    /// `unparking` also clears its parked flag); an event no longer in the outbox is ignored.
    private mutating func changePending(
        of eventID: EventID, unparking: Bool = false, _ change: (inout PendingGroups) -> Void
    ) throws {
        let read = try HotStatement("SELECT pending FROM outbox WHERE event_id = ?", in: db, arena: arena)
        try read.bind(eventID, at: 1)
        let current = try read.withFirstColumnBytes { bytes -> PendingGroups? in
            guard let bytes else { return nil }
            guard let pending = PendingGroups(decoding: bytes) else {
                throw StoreError(code: .corruptRecord, message: "the pending groups of outbox event \(eventID) do not decode")
            }
            return pending
        }
        guard var pending = current else { return }
        change(&pending)
        pendingScratch.clear()
        pending.encode(into: &pendingScratch)
        let write = try HotStatement("UPDATE outbox SET pending = ?, parked = parked AND NOT ? WHERE event_id = ?", in: db, arena: arena)
        try write.bind(pendingScratch, at: 1)
        try write.bind(unparking, at: 2)
        try write.bind(eventID, at: 3)
        try write.execute()
    }

    /// Releases each (event, group) pair, but none of an event in `completing`, in chunks
    /// (``MultiRowInsert``; `OR IGNORE` applies row by row, so a pair released before leaves
    /// the rest of its chunk to be written).
    private mutating func release(_ pairs: some Sequence<(EventID, String)>, except completing: Set<EventID>) throws {
        let releasing = pairs.filter { !completing.contains($0.0) }
        guard !releasing.isEmpty else { return }
        knowledge.releasedRowsMayExist = true
        var start = releasing.startIndex
        for rows in MultiRowInsert.chunks(of: releasing.count) {
            let statement = try HotStatement(Self.releaseInsert.sql(rows: rows), in: db, arena: arena)
            for row in 0 ..< rows {
                let (eventID, group) = releasing[start + row]
                try statement.bind(eventID, at: Int32(row * 2 + 1))
                try statement.bind(group, at: Int32(row * 2 + 2))
            }
            try statement.execute()
            start += rows
        }
    }

    /// Owes a known outbox event to one more group and unparks it: a group its row lists keeps
    /// its attempts, unless it was released (then it is owed afresh, as a new group would be).
    /// An event no longer in the outbox is ignored.
    private mutating func addTarget(_ progress: DeliveryProgress) throws {
        try run(#"DELETE FROM outbox_released WHERE event_id = ? AND "group" = ?"#,
                [RecordCoding.blob(of: progress.eventID), progress.group])
        let wasReleased = db.changesCount > 0
        try changePending(of: progress.eventID, unparking: true) { pending in
            if wasReleased { pending.remove(progress.group) }
            pending.add(progress.group)
        }
    }

    /// Appends dead letters (``apply(_:)`` releases their groups).
    private mutating func recordDeadLetters(_ letters: [NewDeadLetter]) throws {
        for letter in letters {
            let id = RecordCoding.blob(of: letter.envelope.eventID)
            let blob = try RecordCoding.blob(of: letter.envelope, scratch: &scratch)
            try run("""
                INSERT INTO dead_letter (event_id, "group", reason, last_error, attempts, first_failure, last_failure, envelope)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                    [id, letter.group, letter.reason, letter.lastError, letter.attempts,
                     letter.firstFailureMicros, letter.lastFailureMicros, blob])
        }
    }

    private func replaceInterest(_ interest: [LearnedInterest]) throws {
        try run("DELETE FROM interest", [])
        for entry in interest {
            let subscription = entry.subscription
            try run("""
                INSERT INTO interest (node_id, subscription_id, "group", pattern, filter, options)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                    [entry.nodeID, Int64(bitPattern: subscription.subscriptionID), subscription.group,
                     subscription.pattern, subscription.filter, Int(subscription.options.rawValue)])
        }
    }

    /// Appends one archive entry per element of `rows` to this transaction's blocks, and its
    /// record to this transaction's records; the records' log positions are left in
    /// ``archivedPositions`` for the outbox rows written next.
    ///
    /// Seqs are assigned here: one past the largest written (``WriterKnowledge/nextArchiveSeq``;
    /// when not known yet, read from the newest block, or the horizon once retention emptied
    /// the archive).
    private mutating func archive(_ rows: some Sequence<(Envelope, ArchivedEvent.Direction, String, Int64)>) throws {
        var seq: Int64
        if let next = knowledge.nextArchiveSeq {
            seq = next
        } else {
            seq = max(try newestArchiveBlock()?.nextSeq ?? 1, try archiveHorizon())
        }
        if records.readableBytes == 0 { recordsStart = try archiveLogEnd() }
        archivedPositions.removeAll(keepingCapacity: true)
        for (envelope, direction, group, at) in rows {
            let position = recordsStart + Int64(records.readableBytes)
            archivedPositions.append(position)
            _ = try ArchiveRecord.append(seq: seq, envelope: envelope, direction: direction, nodeID: nodeID, group: group,
                                         atMicros: at, to: &records)
            try appendArchiveEntry(seq: seq, correlationID: envelope.correlationID, position: position)
            seq += 1
        }
        knowledge.nextArchiveSeq = seq
    }

    private static let outboxInsert = MultiRowInsert(
        "INSERT INTO outbox (event_id, published_at, parked, pending, archive_position)", columns: 5)
    private static let releaseInsert = MultiRowInsert(
        #"INSERT OR IGNORE INTO outbox_released (event_id, "group")"#, columns: 2)
    private static let idempotencyInsert = MultiRowInsert(
        "INSERT INTO idempotency (key, expires_at)", columns: 2)

    /// Whether `outbox_released` may hold a row (``WriterKnowledge/releasedRowsMayExist``; read
    /// with one probe of the table when not known yet). While it is empty — always, while every
    /// event is owed to one group, as its acknowledgement completes it — a completion deletes
    /// the event's outbox row alone instead of also probing for releases.
    private mutating func releasedRowsMayExist() throws -> Bool {
        if let known = knowledge.releasedRowsMayExist { return known }
        let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox_released)")) ?? true
        knowledge.releasedRowsMayExist = exists
        return exists
    }

    /// Runs a cached prepared statement.
    private func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
