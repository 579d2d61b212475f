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
    /// Reused for every envelope of the batch.
    private var scratch = ByteBuffer()
    /// Where the hot statements' text and blob parameters are bound from.
    private let arena = ParameterArena()

    init(db: Database, nodeID: String) {
        self.db = db
        self.nodeID = nodeID
    }

    mutating func apply(_ batch: StoreBatch) throws {
        try recordHandled(batch.handled)
        try recordPublished(batch.published)
        for progress in batch.attemptsMade {
            try run(#"UPDATE outbox_group SET attempts = ? WHERE event_id = ? AND "group" = ?"#,
                    [progress.attempts, RecordCoding.blob(of: progress.eventID), progress.group])
        }
        // An event completed in this batch loses all its group rows below, in one statement per
        // event: deleting its acknowledged groups one by one first would only search the same
        // b-tree again (the common case: the last group's ack completes the event).
        let completing = batch.completed.isEmpty || batch.acknowledged.isEmpty ? [] : Set(batch.completed)
        if !batch.acknowledged.isEmpty {
            let release = try HotStatement(#"DELETE FROM outbox_group WHERE event_id = ? AND "group" = ?"#, in: db, arena: arena)
            for progress in batch.acknowledged where !completing.contains(progress.eventID) {
                try release.bind(progress.eventID, at: 1)
                try release.bind(progress.group, at: 2)
                try release.execute()
            }
        }
        for progress in batch.targetsAdded {
            try addTarget(progress)
        }
        if !batch.completed.isEmpty {
            let releaseAll = try HotStatement("DELETE FROM outbox_group WHERE event_id = ?", in: db, arena: arena)
            let remove = try HotStatement("DELETE FROM outbox WHERE event_id = ?", in: db, arena: arena)
            for eventID in batch.completed {
                try releaseAll.bind(eventID, at: 1)
                try releaseAll.execute()
                try remove.bind(eventID, at: 1)
                try remove.execute()
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

    /// Checks and records each handled event's idempotency key, then archives it. A key recorded
    /// and unexpired at the event's handling time on the node's retention clock (including one recorded earlier in this batch)
    /// throws, and the caller's transaction rolls everything back.
    private mutating func recordHandled(_ handled: [HandledEvent]) throws {
        guard !handled.isEmpty else { return }
        // One statement instead of a lookup and an insert: the row is written unless a live
        // record holds the key, in which case nothing changes.
        let record = try HotStatement("""
            INSERT INTO idempotency (key, event_id, expires_at) VALUES (?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
            WHERE idempotency.expires_at <= ?
            """, in: db, arena: arena)
        let archive = try archiveStatement()
        for event in handled {
            let key = event.idempotencyKey.description
            try record.bind(key, at: 1)
            try record.bind(event.envelope.eventID, at: 2)
            try record.bind(event.expiresAtMicros, at: 3)
            try record.bind(event.retentionMicros, at: 4)
            try record.execute()
            if db.changesCount == 0 {
                let lookup = try db.cachedStatement(sql: "SELECT expires_at FROM idempotency WHERE key = ?")
                let expiresAt = try Int64.fetchOne(lookup, arguments: [key]) ?? 0
                throw StoreError(
                    code: .duplicateIdempotencyKey,
                    message: "idempotency key '\(key)' of event \(event.envelope.eventID) is already recorded "
                        + "(expires at \(expiresAt) µs, handled at \(event.retentionMicros) µs retention time); batch not applied"
                )
            }
            try RecordCoding.encode(event.envelope, into: &scratch)
            try self.archive(event.envelope, with: archive, direction: .handled, group: event.group, at: event.handledAtMicros)
        }
    }

    /// Puts each published event in the outbox (replacing an earlier copy and its groups) and
    /// archives it.
    private mutating func recordPublished(_ published: [PublishedEvent]) throws {
        guard !published.isEmpty else { return }
        let insert = try HotStatement("INSERT INTO outbox (event_id, published_at, correlation_id, parked, envelope) VALUES (?, ?, ?, ?, ?)", in: db, arena: arena)
        let owe = try HotStatement(#"INSERT OR IGNORE INTO outbox_group (event_id, "group", attempts) VALUES (?, ?, 0)"#, in: db, arena: arena)
        let archive = try archiveStatement()
        for event in published {
            let envelope = event.envelope
            try RecordCoding.encode(envelope, into: &scratch)
            try insert.bind(envelope.eventID, at: 1)
            try insert.bind(event.publishedAtMicros, at: 2)
            try insert.bind(envelope.correlationID, at: 3)
            try insert.bind(event.groups.isEmpty, at: 4)
            try insert.bind(scratch, at: 5)
            do {
                // A new event (the common case) needs no clean-up of an earlier copy's groups.
                try insert.execute()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                let id = RecordCoding.blob(of: envelope.eventID)
                try run("DELETE FROM outbox_group WHERE event_id = ?", [id])
                try run("""
                    INSERT OR REPLACE INTO outbox (event_id, published_at, correlation_id, parked, envelope)
                    VALUES (?, ?, ?, ?, ?)
                    """, [id, event.publishedAtMicros, RecordCoding.blob(of: envelope.correlationID), event.groups.isEmpty,
                          scratch.withUnsafeReadableBytes { Data($0) }])
            }
            for group in event.groups {
                try owe.bind(envelope.eventID, at: 1)
                try owe.bind(group, at: 2)
                try owe.execute()
            }
            try self.archive(envelope, with: archive, direction: .published, group: "", at: event.publishedAtMicros)
        }
    }

    /// Owes a known outbox event to one more group (keeping attempts if it already was) and
    /// unparks it; an event no longer in the outbox is ignored.
    private func addTarget(_ progress: DeliveryProgress) throws {
        let id = RecordCoding.blob(of: progress.eventID)
        try run("UPDATE outbox SET parked = 0 WHERE event_id = ?", [id])
        guard db.changesCount > 0 else { return }
        try run(#"INSERT OR IGNORE INTO outbox_group (event_id, "group", attempts) VALUES (?, ?, 0)"#, [id, progress.group])
    }

    /// Appends dead letters; each releases its group from the event's pending groups.
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
            try run(#"DELETE FROM outbox_group WHERE event_id = ? AND "group" = ?"#, [id, letter.group])
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

    private func archiveStatement() throws -> HotStatement {
        try HotStatement("""
            INSERT INTO archive (event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, in: db, arena: arena)
    }

    /// Appends an archive row for `envelope`, whose blob is in ``scratch``.
    private func archive(
        _ envelope: Envelope, with statement: HotStatement, direction: ArchivedEvent.Direction, group: String, at: Int64
    ) throws {
        try statement.bind(envelope.eventID, at: 1)
        try statement.bind(envelope.correlationID, at: 2)
        try statement.bind(envelope.causationID, at: 3)
        try statement.bind(envelope.type, at: 4)
        try statement.bind(direction.rawValue, at: 5)
        try statement.bind(nodeID, at: 6)
        try statement.bind(group, at: 7)
        try statement.bind(at, at: 8)
        try statement.bind(scratch, at: 9)
        try statement.execute()
    }

    /// Runs a cached prepared statement.
    private func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
