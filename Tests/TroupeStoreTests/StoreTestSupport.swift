import Foundation
import GRDB
import NIOCore
import Testing
import Troupe
@testable import TroupeStore
import TroupeWire

/// The stores every conformance test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case sqliteInMemory
    case sqliteFile

    var testDescription: String { rawValue }

    /// The two SQLite variants, for tests that reach into the database.
    static let sqlite: [StoreKind] = [.sqliteInMemory, .sqliteFile]
}

/// A fresh temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("troupe-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Runs `body` with a new, empty store of `kind` for node `node-a`, keeping at most
/// `archiveCapacity` archive rows (nil: the store's default).
func withStore(_ kind: StoreKind, archiveCapacity: Int? = nil, _ body: (any NodeStore) async throws -> Void) async throws {
    switch kind {
    case .inMemory:
        try await body(InMemoryNodeStore(nodeID: "node-a", archiveCapacity: archiveCapacity ?? InMemoryNodeStore.defaultArchiveCapacity))
    case .sqliteInMemory:
        try await body(SQLiteNodeStore.inMemory(nodeID: "node-a", archiveCapacity: archiveCapacity ?? SQLiteNodeStore.defaultArchiveCapacity))
    case .sqliteFile:
        try await withTemporaryDirectory { directory in
            let store = try SQLiteNodeStore(path: directory.appendingPathComponent("node-a.sqlite").path, nodeID: "node-a",
                                            archiveCapacity: archiveCapacity ?? SQLiteNodeStore.defaultArchiveCapacity)
            try await body(store)
            try store.close()
        }
    }
}

/// Event `n`: id and timestamps derived from `n`, so ids sort like `n`.
func envelope(
    _ n: UInt64, correlation: EventID? = nil, causation: EventID? = nil, type: String = "OrderPlaced"
) -> Envelope {
    let id = eventID(n)
    return Envelope(
        eventID: id,
        type: type,
        source: "node-a",
        subject: "order-\(n)",
        correlationID: correlation ?? id,
        causationID: causation,
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        occurredAtMicros: Int64(n) * 1_000,
        attempt: 1,
        headers: [Envelope.Header(name: "content-type", value: "application/json")],
        body: ByteBuffer(string: #"{"order":\#(n)}"#)
    )
}

/// The id of event `n`.
func eventID(_ n: UInt64) -> EventID {
    EventID(high: (1_700_000_000_000 + n) << 16, low: n &* 0x9E37_79B9_7F4A_7C15)
}

/// A handled event with key `key` (default: the event id), handled at `at`, expiring at `expiresAt`.
func handled(_ envelope: Envelope, key: IdempotencyKey? = nil, at: Int64 = 1_000, expiresAt: Int64 = 10_000, group: String = "billing") -> HandledEvent {
    HandledEvent(
        idempotencyKey: key ?? IdempotencyKey(eventID: envelope.eventID), expiresAtMicros: expiresAt,
        envelope: envelope, group: group, handledAtMicros: at
    )
}

/// A dead letter of `envelope` for `group`.
func deadLetter(_ envelope: Envelope, group: String, reason: String = "maxDeliveriesExceeded") -> NewDeadLetter {
    NewDeadLetter(
        envelope: envelope, group: group, reason: reason, lastError: "handler threw: boom", attempts: 5,
        firstFailureMicros: 2_000, lastFailureMicros: 9_000
    )
}

/// A batch built by `configure`.
func batch(_ configure: (inout StoreBatch) -> Void) -> StoreBatch {
    var batch = StoreBatch()
    configure(&batch)
    return batch
}

/// The comparable content of a snapshot (`StoreSnapshot` is not `Equatable`).
struct SnapshotContent: Equatable, CustomStringConvertible {
    struct Outbox: Equatable {
        var envelope: Envelope
        var publishedAtMicros: Int64
        var pendingGroups: [DeliveryProgress]
    }

    var state: Data?
    var outbox: [Outbox]
    var idempotencyKeys: [IdempotencyKey: Int64]
    var interest: [LearnedInterest]

    init(_ snapshot: StoreSnapshot) {
        state = snapshot.state
        outbox = snapshot.outbox.map { Outbox(envelope: $0.envelope, publishedAtMicros: $0.publishedAtMicros, pendingGroups: $0.pendingGroups) }
        idempotencyKeys = snapshot.idempotencyKeys
        interest = snapshot.interest
    }

    var description: String {
        let events = outbox.map { "\($0.envelope.eventID)@\($0.publishedAtMicros)\($0.pendingGroups.map { "\($0.group):\($0.attempts)" })" }
        return "state: \(state.map { String(decoding: $0, as: UTF8.self) } ?? "nil"), outbox: \(events), "
            + "keys: \(idempotencyKeys), interest: \(interest.count)"
    }
}

/// The (group, attempts) pairs of an outbox event, for short expectations.
func groups(_ event: StoredOutboxEvent) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: event.pendingGroups.map { ($0.group, $0.attempts) })
}

/// A database file at `path` migrated up to `version` only, as an older Troupe left it. The
/// process's SQLite settings are applied first, as a store would: this connection may be the
/// process's first.
func database(at path: String, migratedUpTo version: String, archiveLog: ArchiveLog = .inMemory()) throws -> DatabaseQueue {
    SQLiteProcessSettings.applyOnce()
    let database = try DatabaseQueue(path: path)
    try StoreSchema.migrator(archiveLog: archiveLog).migrate(database, upTo: version)
    return database
}
