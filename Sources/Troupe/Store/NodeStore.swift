public import TroupeWire

/// The durable memory of one node: outbox, idempotency records, dead letters, archive,
/// learned interest and the service's own state (DESIGN.md §3).
///
/// Every change goes through ``apply(_:)`` as one ``StoreBatch`` committed in ONE transaction.
/// That is the whole crash-safety argument: a handled event's state change, the events its
/// handler published (outbox) and its idempotency record become durable together or not at all,
/// so a crash between "processed" and "acked" neither loses the event nor applies it twice. It is
/// also how the node group-commits: many events' work, one transaction.
///
/// Two implementations: `InMemoryNodeStore` here (tests, the fastest mode) and
/// `SQLiteNodeStore` in `TroupeStore` (a GRDB database file per node, WAL mode). Both pass the
/// same conformance tests.
public protocol NodeStore: Sendable {
    /// Whether ``apply(_:)`` waits for a commit written on another thread (a file store), so
    /// that the node should handle its next deliveries meanwhile (see `CommitPipeline`); false
    /// for a store that applies at once, where that would only add work.
    var pipelinesCommits: Bool { get }

    /// Everything a (re)starting node needs: state, unfinished outbox, live idempotency keys,
    /// learned interest. Expired idempotency records (as of `nowMicros`) are left out.
    nonisolated(nonsending) func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot

    /// Commits `batch` atomically. Throws ``StoreError`` when a handled event's idempotency key is
    /// already recorded and unexpired (nothing of the batch is then written).
    nonisolated(nonsending) func apply(_ batch: StoreBatch) async throws

    /// Dead letters, oldest first.
    nonisolated(nonsending) func deadLetters() async throws -> [StoredDeadLetter]

    /// Removes dead letters by id (after a replay or a purge); returns how many were removed.
    @discardableResult
    nonisolated(nonsending) func removeDeadLetters(_ ids: [Int64]) async throws -> Int

    /// Every archived event of one correlation, in the order they were recorded.
    nonisolated(nonsending) func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent]

    /// The most recent archived events, newest last, at most `limit`.
    nonisolated(nonsending) func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent]

    /// Deletes idempotency records that expired before `nowMicros`; returns how many.
    @discardableResult
    nonisolated(nonsending) func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int
}

extension NodeStore {
    /// False: a store applies at once unless it says otherwise.
    public var pipelinesCommits: Bool { false }
}
