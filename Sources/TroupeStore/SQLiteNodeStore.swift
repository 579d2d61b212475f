import Foundation
import GRDB
import Synchronization
public import Troupe
public import TroupeWire

/// The durable ``NodeStore``: one SQLite database file per node, through GRDB.
///
/// A file store is a `DatabasePool`, so the database is in WAL mode: readers (snapshots, DLQ
/// listings, traces) never wait for the writer. Each ``apply(_:)`` is one write transaction run
/// through GRDB's async API, so no cooperative thread blocks on disk I/O, and every statement is a
/// cached prepared statement, so group-committing thousands of events is cheap.
///
/// Durability is chosen with ``Synchronous``: the default ``Synchronous/normal`` survives a
/// process crash but may lose the last committed transactions on power loss or an OS crash;
/// ``Synchronous/full`` survives those too at the cost of an fsync per commit.
///
/// It has exactly `InMemoryNodeStore`'s semantics (both pass the same conformance tests); see
/// that type for the outbox rules and for what stays bounded (archive rows up to
/// ``archiveCapacity``, expired idempotency records removed by the commits that record new
/// ones). Failures throw ``StoreError``: database errors as ``StoreError/Code/storageFailure``
/// naming the operation and the file, undecodable rows as ``StoreError/Code/corruptRecord``.
public final class SQLiteNodeStore: NodeStore {
    /// The node whose store this is; archive rows carry it.
    public let nodeID: String
    /// The database file, or nil for an in-memory store.
    public let path: String?
    /// The most archive rows kept; each commit that archives drops the oldest beyond it (see
    /// ``defaultArchiveCapacity``).
    public let archiveCapacity: Int

    /// 250 000 rows: at the flagship saga's pace (a few rows per order per node) hours of a
    /// workshop's traffic, and about 120 MB of 256-byte events. An unbounded archive grows by
    /// every event a node handles or publishes — at 10 000 events/s about 5 MB/s per node.
    public static let defaultArchiveCapacity = 250_000
    let writer: any DatabaseWriter
    /// Batches waiting for the next write transaction.
    let commits = CommitQueue()
    /// What the writer knows about its tables from committed transactions (see ``WriterKnowledge``).
    private let writerKnowledge = Mutex(WriterKnowledge())
    /// Checkpoints the WAL off the writer (file stores only).
    let checkpointer: WALCheckpointer?
    /// The archive's records (``ArchiveLog``): the directory `<path>-archive` beside the
    /// database file, or memory for an in-memory store.
    let archiveLog: ArchiveLog
    /// Whether the writer syncs the archive log before each commit (`synchronous = FULL`).
    private let syncsArchiveLog: Bool

    /// True: a commit runs on the database's writer thread, and the node handles its next
    /// deliveries meanwhile.
    public var pipelinesCommits: Bool { true }

    /// Opens (creating if needed) the database file at `path` for node `nodeID` and migrates it
    /// to the current schema, keeping at most `archiveCapacity` archive rows. Throws
    /// ``StoreError`` when the file cannot be opened or migrated.
    public convenience init(
        path: String, nodeID: String, synchronous: Synchronous = .normal, archiveCapacity: Int = SQLiteNodeStore.defaultArchiveCapacity
    ) throws {
        try self.init(path: path, nodeID: nodeID, synchronous: synchronous, archiveCapacity: archiveCapacity,
                      checkpointer: WALCheckpointer(path: path))
    }

    /// A file store whose WAL is checkpointed by `checkpointer` and whose archive log is cut
    /// into segments of `archiveSegmentSize` bytes (tests choose both).
    convenience init(
        path: String, nodeID: String, synchronous: Synchronous, archiveCapacity: Int = SQLiteNodeStore.defaultArchiveCapacity,
        checkpointer: WALCheckpointer, archiveSegmentSize: Int64 = ArchiveLog.defaultSegmentSize
    ) throws {
        let writer: DatabasePool
        do {
            writer = try DatabasePool(path: path, configuration: Self.configuration(synchronous: synchronous, checkpointer: checkpointer))
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot open node store \(path): \(error)")
        }
        let archiveLog = try ArchiveLog(directory: "\(path)-archive", segmentSize: archiveSegmentSize)
        // Under NORMAL the WAL is synced by checkpoints; the records its rows name go first.
        checkpointer.beforeEachCheckpoint { (try? archiveLog.sync()) != nil }
        try self.init(writer: writer, path: path, nodeID: nodeID, archiveCapacity: archiveCapacity, checkpointer: checkpointer,
                      archiveLog: archiveLog, syncsArchiveLog: synchronous == .full)
        do {
            try checkpointer.open()
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot open the checkpointing connection of \(path): \(error)")
        }
    }

    /// A store for `nodeID` in a private in-memory database (no WAL, nothing survives): for tests.
    public static func inMemory(nodeID: String, archiveCapacity: Int = SQLiteNodeStore.defaultArchiveCapacity) throws -> SQLiteNodeStore {
        try inMemory(nodeID: nodeID, archiveCapacity: archiveCapacity, archiveSegmentSize: ArchiveLog.defaultSegmentSize)
    }

    /// An in-memory store whose archive log is cut into segments of `archiveSegmentSize` bytes
    /// (tests choose it).
    static func inMemory(nodeID: String, archiveCapacity: Int, archiveSegmentSize: Int64) throws -> SQLiteNodeStore {
        let writer: DatabaseQueue
        do {
            writer = try DatabaseQueue(configuration: configuration(synchronous: .normal, checkpointer: nil))
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot open in-memory node store: \(error)")
        }
        return try SQLiteNodeStore(writer: writer, path: nil, nodeID: nodeID, archiveCapacity: archiveCapacity, checkpointer: nil,
                                   archiveLog: .inMemory(segmentSize: archiveSegmentSize), syncsArchiveLog: false)
    }

    private init(
        writer: any DatabaseWriter, path: String?, nodeID: String, archiveCapacity: Int, checkpointer: WALCheckpointer?,
        archiveLog: ArchiveLog, syncsArchiveLog: Bool
    ) throws {
        precondition(archiveCapacity >= 0, "archiveCapacity must not be negative")
        self.writer = writer
        self.path = path
        self.nodeID = nodeID
        self.archiveCapacity = archiveCapacity
        self.checkpointer = checkpointer
        self.archiveLog = archiveLog
        self.syncsArchiveLog = syncsArchiveLog
        do {
            try StoreSchema.migrator(archiveLog: archiveLog).migrate(writer)
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot migrate \(location): \(error)")
        }
    }

    private static func configuration(synchronous: Synchronous, checkpointer: WALCheckpointer?) -> Configuration {
        // Before the first connection of the process initializes SQLite.
        SQLiteProcessSettings.applyOnce()
        var configuration = Configuration()
        // Another process (the CLI's `dlq` or `trace`) may hold the database for a moment.
        configuration.busyMode = .timeout(5)
        let pragma = "PRAGMA synchronous = \(synchronous.pragmaValue)"
        configuration.prepareDatabase { db in
            try db.execute(sql: pragma)
            // Debian's SQLite is built with secure delete on: every deleted row is zeroed, and
            // every page it frees is written again, as zeros, into the WAL and the database.
            // A node deletes a row per event (its outbox row, and past its bounds an archive
            // row and an expired idempotency record). FAST zeroes deleted content only in
            // pages that are written anyway. Measured at the archive's bound (`troupe bench
            // --mode durable --archive-capacity 20000`, medians of 3 and 2 rounds): the nodes
            // wrote 439 and 369 MB per 150k events with it on, 376 and 313 MB with FAST
            // (Benchmarks/README.md, fourteenth round). The archive keeps events on purpose, so
            // scrubbing freed pages protected nothing the file does not hold in the clear anyway.
            try db.execute(sql: "PRAGMA secure_delete = FAST")
            // Every connection of the pool gets the hook; only the writer's commits call it.
            checkpointer?.install(on: db)
        }
        return configuration
    }

    /// Closes the database; any later call throws ``StoreError/Code/storageFailure``.
    public func close() throws {
        do {
            try checkpointer?.close()
            try writer.close()
            archiveLog.close()
        } catch {
            throw StoreError(code: .storageFailure, message: "cannot close \(location): \(error)")
        }
    }

    /// Reads state, unfinished outbox, unexpired idempotency keys and interest in one consistent view.
    public nonisolated(nonsending) func loadSnapshot(nowMicros: Int64) async throws -> StoreSnapshot {
        try await read("load snapshot") { try StoreReader(db: $0, archiveLog: self.archiveLog).snapshot(nowMicros: nowMicros) }
    }

    /// Commits `batch` all-or-nothing; throws ``StoreError`` (duplicate key) leaving the store unchanged.
    ///
    /// Batches applied while an earlier write is queued or running share the next transaction
    /// (see ``CommitQueue``); each still succeeds or fails on its own.
    public nonisolated(nonsending) func apply(_ batch: StoreBatch) async throws {
        guard !batch.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            if commits.enqueue(CommitQueue.Pending(batch: batch, continuation: continuation)) {
                writer.asyncWriteWithoutTransaction { [self] db in commitWaitingBatches(db) }
            }
        }
    }

    /// Commits every batch waiting in ``commits`` in one transaction and resumes their callers.
    ///
    /// When one of several batches is refused (a live duplicate idempotency key — rare: the
    /// node's cache catches almost all duplicates) the shared transaction is rolled back and the
    /// batches are committed again one transaction each, so only the refused one fails. That is
    /// cheaper than a savepoint per batch, whose sub-journal SQLite writes to a temporary file.
    private func commitWaitingBatches(_ db: Database) {
        let pending = commits.takeAll()
        guard !pending.isEmpty else { return }
        var outcomes: [Result<Void, any Error>]
        do {
            try commit(pending.map(\.batch), in: db)
            outcomes = Array(repeating: .success(()), count: pending.count)
        } catch where pending.count > 1 {
            outcomes = pending.map { item in Result { try commit([item.batch], in: db) } }
        } catch {
            outcomes = [.failure(error)]
        }
        for (item, outcome) in zip(pending, outcomes) {
            item.continuation.resume(with: outcome.mapError { translated($0, "apply batch") })
        }
    }

    /// Applies `batches` in order in one transaction (rolled back if any of them throws).
    private func commit(_ batches: [StoreBatch], in db: Database) throws {
        var knowledge = writerKnowledge.withLock { $0 }
        var oldestArchivePosition: Int64?
        try db.inTransaction {
            var batchWriter = BatchWriter(db: db, nodeID: nodeID, archiveLog: archiveLog, syncsArchiveLog: syncsArchiveLog,
                                          archiveCapacity: archiveCapacity, knowledge: knowledge)
            for batch in batches { try batchWriter.apply(batch) }
            try batchWriter.trim()
            knowledge = batchWriter.knowledge
            oldestArchivePosition = batchWriter.oldestArchivePosition
            return .commit
        }
        writerKnowledge.withLock { $0 = knowledge }
        if let oldestArchivePosition {
            // Only once committed: until then the entries naming those records could come back.
            // A segment that cannot be removed now is tried again by the next trimming commit;
            // the batches committed either way.
            try? archiveLog.removeSegments(before: oldestArchivePosition)
        }
    }

    /// Dead letters, oldest first.
    public nonisolated(nonsending) func deadLetters() async throws -> [StoredDeadLetter] {
        try await read("list dead letters") { try StoreReader(db: $0, archiveLog: self.archiveLog).deadLetters() }
    }

    /// Removes dead letters by id; returns how many existed.
    @discardableResult
    public nonisolated(nonsending) func removeDeadLetters(_ ids: [Int64]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await write("remove dead letters") { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM dead_letter WHERE id = ?")
            var removed = 0
            for id in Set(ids) {
                try statement.execute(arguments: [id])
                removed += db.changesCount
            }
            return removed
        }
    }

    /// The archive rows of one correlation, in recording order.
    public nonisolated(nonsending) func archivedEvents(correlationID: EventID) async throws -> [ArchivedEvent] {
        try await read("read archive") { try StoreReader(db: $0, archiveLog: self.archiveLog).archive(correlationID: correlationID) }
    }

    /// The newest `limit` archive rows, newest last.
    public nonisolated(nonsending) func recentArchivedEvents(limit: Int) async throws -> [ArchivedEvent] {
        try await read("read recent archive") { try StoreReader(db: $0, archiveLog: self.archiveLog).recentArchive(limit: limit) }
    }

    /// Deletes idempotency records whose expiry is at or before `nowMicros`; returns how many.
    @discardableResult
    public nonisolated(nonsending) func purgeExpiredIdempotencyRecords(nowMicros: Int64) async throws -> Int {
        try await write("purge idempotency records") { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency WHERE expires_at <= ?").execute(arguments: [nowMicros])
            self.writerKnowledge.withLock { $0.oldestExpiry = nil }
            return db.changesCount
        }
    }
}
