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
        for progress in batch.acknowledged {
            try run(#"DELETE FROM outbox_group WHERE event_id = ? AND "group" = ?"#,
                    [RecordCoding.blob(of: progress.eventID), progress.group])
        }
        for progress in batch.targetsAdded {
            try addTarget(progress)
        }
        for eventID in batch.completed {
            let id = RecordCoding.blob(of: eventID)
            try run("DELETE FROM outbox_group WHERE event_id = ?", [id])
            try run("DELETE FROM outbox WHERE event_id = ?", [id])
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
        for event in handled {
            let key = event.idempotencyKey
            // One statement instead of a lookup and an insert: the row is written unless a live
            // record holds the key, in which case nothing changes.
            try run("""
                INSERT INTO idempotency (key, event_id, expires_at) VALUES (?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET event_id = excluded.event_id, expires_at = excluded.expires_at
                WHERE idempotency.expires_at <= ?
                """,
                    [key, RecordCoding.blob(of: event.envelope.eventID), event.expiresAtMicros, event.retentionMicros])
            if db.changesCount == 0 {
                let lookup = try db.cachedStatement(sql: "SELECT expires_at FROM idempotency WHERE key = ?")
                let expiresAt = try Int64.fetchOne(lookup, arguments: [key]) ?? 0
                throw StoreError(
                    code: .duplicateIdempotencyKey,
                    message: "idempotency key '\(key)' of event \(event.envelope.eventID) is already recorded "
                        + "(expires at \(expiresAt) µs, handled at \(event.retentionMicros) µs retention time); batch not applied"
                )
            }
            let blob = try RecordCoding.blob(of: event.envelope, scratch: &scratch)
            try archive(event.envelope, blob: blob, direction: .handled, group: event.group, at: event.handledAtMicros)
        }
    }

    /// Puts each published event in the outbox (replacing an earlier copy and its groups) and
    /// archives it.
    private mutating func recordPublished(_ published: [PublishedEvent]) throws {
        for event in published {
            let envelope = event.envelope
            let id = RecordCoding.blob(of: envelope.eventID)
            let blob = try RecordCoding.blob(of: envelope, scratch: &scratch)
            let row: StatementArguments = [id, event.publishedAtMicros, RecordCoding.blob(of: envelope.correlationID),
                                           event.groups.isEmpty, blob]
            do {
                // A new event (the common case) needs no clean-up of an earlier copy's groups.
                try run("INSERT INTO outbox (event_id, published_at, correlation_id, parked, envelope) VALUES (?, ?, ?, ?, ?)", row)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                try run("DELETE FROM outbox_group WHERE event_id = ?", [id])
                try run("""
                    INSERT OR REPLACE INTO outbox (event_id, published_at, correlation_id, parked, envelope)
                    VALUES (?, ?, ?, ?, ?)
                    """, row)
            }
            for group in event.groups {
                try run(#"INSERT OR IGNORE INTO outbox_group (event_id, "group", attempts) VALUES (?, ?, 0)"#, [id, group])
            }
            try archive(envelope, blob: blob, direction: .published, group: "", at: event.publishedAtMicros)
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

    private func archive(
        _ envelope: Envelope, blob: Data, direction: ArchivedEvent.Direction, group: String, at: Int64
    ) throws {
        try run("""
            INSERT INTO archive (event_id, correlation_id, causation_id, type, direction, node_id, "group", at, envelope)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
                [RecordCoding.blob(of: envelope.eventID), RecordCoding.blob(of: envelope.correlationID),
                 envelope.causationID.map { RecordCoding.blob(of: $0) }, envelope.type, direction.rawValue,
                 nodeID, group, at, blob])
    }

    /// Runs a cached prepared statement.
    private func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
