import Foundation
import GRDB
import Troupe
import TroupeWire

/// The read queries of `SQLiteNodeStore`, each run inside one read transaction. Every query is
/// served by a primary key or an index; rows that do not decode throw
/// ``StoreError/Code/corruptRecord``.
struct StoreReader {
    let db: Database
    /// Where the archive entries' records are (``ArchiveLog``).
    let archiveLog: ArchiveLog

    func snapshot(nowMicros: Int64) throws -> StoreSnapshot {
        let state = try Data.fetchOne(db.cachedStatement(sql: "SELECT json FROM state WHERE id = 1"))
        var keys: [IdempotencyKey: Int64] = [:]
        let keyRows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT key, expires_at FROM idempotency WHERE expires_at > ?"),
            arguments: [nowMicros]
        )
        while let row = try keyRows.next() {
            keys[try RecordCoding.idempotencyKey(from: row[0], what: "idempotency record")] = try row.decode(Int64.self, atIndex: 1)
        }
        var records: [String: Data] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT key, value FROM state_record"))
        while let row = try rows.next() { records[row["key"]] = row["value"] }
        return StoreSnapshot(state: state, outbox: try outbox(), idempotencyKeys: keys, interest: try interest(), stateRecords: records)
    }

    /// Events that are parked or still owe a group, oldest first, pending groups by name.
    private func outbox() throws -> [StoredOutboxEvent] {
        var released: [EventID: [String]] = [:]
        let releasedRows = try Row.fetchCursor(db.cachedStatement(sql: #"SELECT event_id, "group" FROM outbox_released"#))
        while let row = try releasedRows.next() {
            let id = try RecordCoding.eventID(from: row.decode(Data?.self, atIndex: 0), what: "outbox_released row")
            released[id, default: []].append(try row.decode(String.self, atIndex: 1))
        }
        var events: [StoredOutboxEvent] = []
        let rows = try Row.fetchCursor(
            // The envelope is the archive log's record, or the row's own once retention took that (schema v7).
            db.cachedStatement(sql: """
                SELECT event_id, published_at, parked, pending, envelope, archive_position FROM outbox
                ORDER BY published_at, event_id
                """)
        )
        while let row = try rows.next() {
            let id = try RecordCoding.eventID(from: row.decode(Data?.self, atIndex: 0), what: "outbox row")
            var pending = try row.withUnsafeData(atIndex: 3) { data -> PendingGroups in
                let decoded = (data ?? Data()).withUnsafeBytes { PendingGroups(decoding: $0) }
                guard let decoded else {
                    throw StoreError(code: .corruptRecord, message: "the pending groups of outbox event \(id) do not decode")
                }
                return decoded
            }
            for group in released[id] ?? [] { pending.remove(group) }
            guard try row.decode(Bool.self, atIndex: 2) || !pending.isEmpty else { continue }
            let envelope: Envelope
            if let position = try row.decode(Int64?.self, atIndex: 5) {
                envelope = try archiveLog.envelope(ofOutboxEvent: id, at: position)
            } else {
                envelope = try row.withUnsafeData(atIndex: 4) {
                    try RecordCoding.envelope(from: $0, what: "outbox event \(id)")
                }
            }
            events.append(StoredOutboxEvent(
                envelope: envelope, publishedAtMicros: try row.decode(Int64.self, atIndex: 1),
                pendingGroups: pending.entries.map { DeliveryProgress(eventID: id, group: $0.group, attempts: $0.attempts) }
            ))
        }
        return events
    }

    private func interest() throws -> [LearnedInterest] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT node_id, subscription_id, "group", pattern, filter, options FROM interest ORDER BY rowid
            """))
        var interest: [LearnedInterest] = []
        while let row = try rows.next() {
            let subscription = Subscribe(
                subscriptionID: UInt64(bitPattern: try row.decode(Int64.self, atIndex: 1)),
                group: try row.decode(String.self, atIndex: 2),
                pattern: try row.decode(String.self, atIndex: 3),
                filter: try row.decode(String.self, atIndex: 4),
                options: SubscriptionOptions(rawValue: UInt8(truncatingIfNeeded: try row.decode(Int64.self, atIndex: 5)))
            )
            interest.append(LearnedInterest(nodeID: try row.decode(String.self, atIndex: 0), subscription: subscription))
        }
        return interest
    }

    func deadLetters() throws -> [StoredDeadLetter] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT id, "group", reason, last_error, attempts, first_failure, last_failure, envelope
            FROM dead_letter ORDER BY id
            """))
        var letters: [StoredDeadLetter] = []
        while let row = try rows.next() {
            let id = try row.decode(Int64.self, atIndex: 0)
            let envelope = try row.withUnsafeData(atIndex: 7) {
                try RecordCoding.envelope(from: $0, what: "dead letter \(id)")
            }
            let letter = NewDeadLetter(
                envelope: envelope,
                group: try row.decode(String.self, atIndex: 1),
                reason: try row.decode(String.self, atIndex: 2),
                lastError: try row.decode(String.self, atIndex: 3),
                attempts: try row.decode(Int.self, atIndex: 4),
                firstFailureMicros: try row.decode(Int64.self, atIndex: 5),
                lastFailureMicros: try row.decode(Int64.self, atIndex: 6)
            )
            letters.append(StoredDeadLetter(id: id, letter: letter))
        }
        return letters
    }

    /// The entries of one correlation, in seq order: every kept block is scanned (see
    /// ``ArchiveIndexBlock``).
    func archive(correlationID: EventID) throws -> [ArchivedEvent] {
        let horizon = try archiveHorizon()
        var entries: [(seq: Int64, position: Int64)] = []
        let blocks = try Row.fetchCursor(db.cachedStatement(sql: "SELECT first_seq, entries FROM archive_block ORDER BY first_seq"))
        while let row = try blocks.next() {
            let block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
            for index in 0 ..< block.count where block.correlationID(at: index) == correlationID {
                let seq = block.firstSeq + Int64(index)
                if seq >= horizon { entries.append((seq, block.position(at: index))) }
            }
        }
        return try records(of: entries)
    }

    /// The newest `limit` entries, newest last.
    func recentArchive(limit: Int) throws -> [ArchivedEvent] {
        guard limit > 0 else { return [] }
        let horizon = try archiveHorizon()
        var newestFirst: [(seq: Int64, position: Int64)] = []
        let blocks = try Row.fetchCursor(db.cachedStatement(sql: "SELECT first_seq, entries FROM archive_block ORDER BY first_seq DESC"))
        scan: while let row = try blocks.next() {
            let block = try ArchiveIndexBlock(firstSeq: row[0], decoding: row[1])
            for index in (0 ..< block.count).reversed() {
                let seq = block.firstSeq + Int64(index)
                guard seq >= horizon, newestFirst.count < limit else { break scan }
                newestFirst.append((seq, block.position(at: index)))
            }
        }
        return try records(of: newestFirst.reversed())
    }

    /// The oldest entry retention keeps; entries below it are gone even where their block is
    /// still stored.
    private func archiveHorizon() throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT first_kept_seq FROM archive_horizon WHERE id = 1")) ?? 1
    }

    /// The records of `entries`. An entry whose log segment retention removed since this read
    /// transaction began (a writer in another process trimmed it) is left out, as it would be
    /// from a read a moment later.
    private func records(of entries: some Sequence<(seq: Int64, position: Int64)>) throws -> [ArchivedEvent] {
        var events: [ArchivedEvent] = []
        for entry in entries {
            if let record = try archiveLog.record(at: entry.position, seq: entry.seq) {
                events.append(record.event)
            }
        }
        return events
    }
}
