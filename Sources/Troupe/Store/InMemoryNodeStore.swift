import DequeModule
import Foundation
import Synchronization
public import TroupeWire

/// A ``NodeStore`` that keeps everything in memory: for tests and for runs that need no
/// durability. It has the semantics of `SQLiteNodeStore` (both pass the same conformance tests),
/// so a test written against it holds for the durable store.
///
/// ``apply(_:)`` is all-or-nothing, under one lock, so readers never see half a batch: the
/// batch's idempotency keys are recorded first, and taken back if one of them is a duplicate,
/// before anything else changes.
///
/// Outbox rules, shared with `SQLiteNodeStore`: an event is *parked* when it was published with
/// no groups and no targets were added since. A snapshot lists the events that are parked or
/// still owe some group; an event whose groups all acknowledged (or were dead-lettered) stays in
/// the store, unlisted, until ``StoreBatch/completed`` removes it. Re-publishing an event id that
/// is still in the outbox replaces it (groups and attempts start over).
///
/// Bounded under sustained traffic: at most ``archiveCapacity`` archive rows are kept (the oldest
/// are dropped beyond that), and each commit that records idempotency keys also removes the ones
/// that expired (``StoreBatch/retentionNowMicros``), so the keys held are about rate × TTL rather
/// than every key ever handled. Dead letters are never dropped (they wait for a replay or purge).
public final class InMemoryNodeStore: NodeStore {
    /// The node whose store this is; archive rows carry it.
    public let nodeID: String
    /// The most archive rows kept; older ones are dropped first.
    public let archiveCapacity: Int

    /// 100 000 rows, held in memory (about one envelope each).
    public static let defaultArchiveCapacity = 100_000

    private let storage = Mutex(Storage())

    /// Creates an empty store for `nodeID` keeping at most `archiveCapacity` archive rows.
    public init(nodeID: String, archiveCapacity: Int = InMemoryNodeStore.defaultArchiveCapacity) {
        precondition(archiveCapacity >= 0, "archiveCapacity must not be negative")
        self.nodeID = nodeID
        self.archiveCapacity = archiveCapacity
    }

    /// Reads state, unfinished outbox, unexpired idempotency keys and interest in one consistent view.
    public nonisolated(nonsending) func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot {
        storage.withLock { $0.snapshot(nowMicros: nowMicros) }
    }

    /// Commits `batch` all-or-nothing; throws ``StoreError`` (duplicate key) leaving the store unchanged.
    public nonisolated(nonsending) func apply(_ batch: StoreBatch) async throws {
        let nodeID = nodeID
        let archiveCapacity = archiveCapacity
        try storage.withLock { (storage: inout Storage) throws(StoreError) in
            if let error = storage.recordIdempotencyKeys(of: batch.handled) { throw error }
            storage.apply(batch, nodeID: nodeID, archiveCapacity: archiveCapacity)
        }
    }

    /// Dead letters, oldest first.
    public nonisolated(nonsending) func deadLetters() async throws -> [StoredDeadLetter] {
        storage.withLock { $0.deadLetters }
    }

    /// Removes dead letters by id; returns how many existed.
    @discardableResult
    public nonisolated(nonsending) func removeDeadLetters(_ ids: [Int64]) async throws -> Int {
        let doomed = Set(ids)
        return storage.withLock { storage in
            let before = storage.deadLetters.count
            storage.deadLetters.removeAll { doomed.contains($0.id) }
            return before - storage.deadLetters.count
        }
    }

    /// The archive rows of one correlation, in recording order.
    public nonisolated(nonsending) func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent] {
        storage.withLock { storage in
            storage.archive.filter { $0.envelope.correlationID == correlationID }
        }
    }

    /// The newest `limit` archive rows, newest last.
    public nonisolated(nonsending) func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent] {
        guard limit > 0 else { return [] }
        return storage.withLock { Array($0.archive.suffix(limit)) }
    }

    /// Deletes idempotency records whose expiry is at or before `nowMicros`; returns how many.
    @discardableResult
    public nonisolated(nonsending) func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int {
        storage.withLock { storage in
            storage.idempotency.removeExpired(atOrBefore: nowMicros)
        }
    }
}

/// One outbox event as the in-memory store keeps it.
private struct OutboxRecord {
    var envelope: Envelope
    var publishedAtMicros: Int64
    /// Pending groups and the attempts made on each.
    var groups: PendingGroups
    /// Published with no groups and none added since.
    var parked: Bool
}

/// Everything the in-memory store holds, guarded by its mutex.
private struct Storage {
    var state: Data?
    var stateRecords: [String: Data] = [:]
    var outbox: [EventID: OutboxRecord] = [:]
    /// Idempotency key → expiry, microseconds since the Unix epoch.
    var idempotency = ShardedExpiryTable()
    var deadLetters: [StoredDeadLetter] = []
    var nextDeadLetterID: Int64 = 1
    var archive: Deque<ArchivedEvent> = []
    var interest: [LearnedInterest] = []

    /// The expiries ``recordIdempotencyKeys(of:)`` replaced, kept for reuse between commits.
    var replacedExpiries: [Int64?] = []

    /// Records the keys of `handled`; or, when one of them is recorded and unexpired at the
    /// time its event was handled (counting keys recorded earlier in the same batch), records
    /// none and returns the error for the first such event.
    mutating func recordIdempotencyKeys(of handled: [HandledEvent]) -> StoreError? {
        replacedExpiries.removeAll(keepingCapacity: true)
        for event in handled {
            let replaced = idempotency.record(event.idempotencyKey, expiringAt: event.expiresAtMicros)
            if let expiresAt = replaced, expiresAt > event.retentionMicros {
                idempotency.undoRecord(event.idempotencyKey, replacing: replaced)
                for index in replacedExpiries.indices.reversed() {
                    idempotency.undoRecord(handled[index].idempotencyKey, replacing: replacedExpiries[index])
                }
                return StoreError(
                    code: .duplicateIdempotencyKey,
                    message: "idempotency key '\(event.idempotencyKey)' of event \(event.envelope.eventID) is already recorded "
                        + "(expires at \(expiresAt) µs, handled at \(event.retentionMicros) µs retention time); batch not applied"
                )
            }
            replacedExpiries.append(replaced)
        }
        return nil
    }

    /// Applies a batch whose keys ``recordIdempotencyKeys(of:)`` recorded, in the order
    /// documented on ``StoreBatch``.
    mutating func apply(_ batch: StoreBatch, nodeID: String, archiveCapacity: Int) {
        for event in batch.handled {
            archive(event.envelope, .handled, nodeID: nodeID, group: event.group, at: event.handledAtMicros, capacity: archiveCapacity)
        }
        if let now = batch.retentionNowMicros {
            _ = idempotency.removeOldestExpired(atOrBefore: now, limit: batch.expiredRecordPurgeLimit)
        }
        for event in batch.published {
            let groups = PendingGroups(groups: event.groups)
            outbox[event.envelope.eventID] = OutboxRecord(
                envelope: event.envelope, publishedAtMicros: event.publishedAtMicros,
                groups: groups, parked: groups.isEmpty
            )
            archive(event.envelope, .published, nodeID: nodeID, group: "", at: event.publishedAtMicros, capacity: archiveCapacity)
        }
        for progress in batch.attemptsMade {
            outbox[progress.eventID]?.groups.setAttempts(progress.attempts, for: progress.group)
        }
        for progress in batch.acknowledged {
            outbox[progress.eventID]?.groups.remove(progress.group)
        }
        for progress in batch.targetsAdded where outbox[progress.eventID] != nil {
            outbox[progress.eventID]?.parked = false
            outbox[progress.eventID]?.groups.add(progress.group)
        }
        for eventID in batch.completed {
            outbox[eventID] = nil
        }
        for letter in batch.deadLetters {
            deadLetters.append(StoredDeadLetter(id: nextDeadLetterID, letter: letter))
            nextDeadLetterID += 1
            outbox[letter.envelope.eventID]?.groups.remove(letter.group)
        }
        if let newInterest = batch.interest { interest = newInterest }
        if let newState = batch.state { state = newState }
        for (key, value) in batch.stateRecords { stateRecords[key] = value }
    }

    private mutating func archive(
        _ envelope: Envelope, _ direction: ArchivedEvent.Direction, nodeID: String, group: String, at: Int64, capacity: Int
    ) {
        archive.append(ArchivedEvent(envelope: envelope, direction: direction, nodeID: nodeID, group: group, atMicros: at))
        while archive.count > capacity { archive.removeFirst() }
    }

    /// Listed events oldest first (ties by id), pending groups in byte order (SQLite's BINARY
    /// collation), keys unexpired at `nowMicros`.
    func snapshot(nowMicros: Int64) -> StoreSnapshot {
        let listed = outbox.values
            .filter { $0.parked || !$0.groups.isEmpty }
            .sorted { ($0.publishedAtMicros, $0.envelope.eventID) < ($1.publishedAtMicros, $1.envelope.eventID) }
            .map { record in
                StoredOutboxEvent(
                    envelope: record.envelope,
                    publishedAtMicros: record.publishedAtMicros,
                    pendingGroups: record.groups.entries.map {
                        DeliveryProgress(eventID: record.envelope.eventID, group: $0.group, attempts: $0.attempts)
                    }
                )
            }
        return StoreSnapshot(
            state: state,
            outbox: listed,
            idempotencyKeys: idempotency.unexpired(at: nowMicros),
            interest: interest,
            stateRecords: stateRecords
        )
    }
}
