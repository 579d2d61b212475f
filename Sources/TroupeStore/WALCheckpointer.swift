import Dispatch
import GRDB
import GRDBSQLite
import Synchronization

/// Checkpoints a node store's write-ahead log from a connection of its own, off the writer.
///
/// SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1000 pages, on
/// the writing connection: it copies the WAL into the database file and syncs it while every
/// batch behind that commit waits. Measured with `troupe bench --mode durable` (processes, 3
/// alternating runs, automatic checkpoints switched off as the experiment): at 10k events/s
/// p99 publish→handled 7.8 → 4.0 ms, and throughput 24.0k → 29.0k events/s. So the writer's
/// connection gets a WAL hook instead (which replaces SQLite's automatic checkpoint):
///
/// - after a commit that leaves at least `backgroundThreshold` frames in the WAL, and at least
///   `backgroundStep` more than when the last one started, a PASSIVE checkpoint is started on
///   this object's own read-write connection, unless one is running (``CheckpointSchedule``
///   says why the step, and what it measured).
///   A checkpoint and a writer may run at the same time in WAL mode; PASSIVE never waits for
///   the writer or readers.
/// - after a commit that leaves at least `writerThreshold` frames, the writer checkpoints
///   itself, as SQLite would have: a PASSIVE checkpoint racing a busy writer may never catch up
///   with it, and only a fully checkpointed WAL is restarted from its beginning, so this bounds
///   the WAL's size: `writerThreshold` pages plus the commits made while a background
///   checkpoint still holds the checkpoint lock (the writer's own attempt then finds it busy
///   and the next commit tries again).
///
/// A checkpoint never changes what is committed; which connection runs it does not matter for
/// durability. Under ``SQLiteNodeStore/Synchronous/normal`` it is also where the WAL is synced.
///
/// Measured with this checkpointer against the writer's automatic checkpoint (3 alternating
/// runs, medians): durable at 10k events/s p90 4.06 → 1.72 ms, p99 6.47 → 3.23 ms; durable
/// throughput 27.3k → 29.0k events/s; the largest WAL seen during a 100k-event run at ~30k
/// events/s was 18.8 MB (about 4.6k pages), under the writer's bound of 16k pages.
final class WALCheckpointer: Sendable {
    /// When to checkpoint; only the writer's WAL hook uses it, so the lock is never contended.
    private let schedule: Mutex<CheckpointSchedule>
    private let path: String
    private let connection = Mutex<DatabaseQueue?>(nil)
    private let isRunning = Atomic<Bool>(false)
    private let completed = Atomic<Int>(0)
    /// Run before each checkpoint, on the thread that checkpoints (``beforeEachCheckpoint(_:)``).
    ///
    /// Held in a class, not as an optional closure in the mutex. `Mutex<Value>` passes its value
    /// `inout` at the generic abstraction, so `withLock { $0 }` on a closure value reabstracts
    /// it on the way in and again on the way back: every read left the stored closure wrapped in
    /// two more thunks. Under durable load at 3000 events/s (about 150 checkpoint attempts a
    /// second) a node's memory grew by about 35 KB/s, each attempt called through every
    /// earlier wrapper, and a standalone reproduction overflowed an 8 MiB stack after about
    /// 130k reads. Found with `heaptrack -p` on a bench subscriber; a class reference is only
    /// retained and released.
    private let preparation = Mutex<CheckpointPreparation?>(nil)

    /// A checkpointer for the database at `path`; ``open()`` once the database is in WAL mode.
    /// The thresholds are ``CheckpointSchedule``'s, in WAL frames.
    init(path: String, backgroundThreshold: Int32 = 1000, backgroundStep: Int32 = 100, writerThreshold: Int32 = 16_000) {
        self.path = path
        self.schedule = Mutex(CheckpointSchedule(backgroundThreshold: backgroundThreshold, backgroundStep: backgroundStep,
                                                 writerThreshold: writerThreshold))
    }

    /// Runs `body` before each checkpoint: what the WAL's rows rely on (the archive log's
    /// records) is made durable before a checkpoint makes those rows part of the database.
    /// When `body` returns false (it could not), that checkpoint is not run; a later commit
    /// starts the next attempt.
    func beforeEachCheckpoint(_ body: @escaping @Sendable () -> Bool) {
        preparation.withLock { $0 = CheckpointPreparation(body) }
    }

    /// Whether the checkpoint about to run may run: the preparation's answer, true without one.
    private func prepare() -> Bool {
        guard let preparation = preparation.withLock({ $0 }) else { return true }
        return preparation.run()
    }

    /// Background checkpoints completed so far (for tests and statistics).
    var backgroundCheckpoints: Int { completed.load(ordering: .relaxed) }

    /// Opens the checkpointing connection. Until then only the writer's own bound applies.
    func open() throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.label = "troupe.checkpoint"
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        connection.withLock { $0 = queue }
    }

    /// Closes the checkpointing connection; a checkpoint under way finishes first.
    func close() throws {
        let queue = connection.withLock { queue -> DatabaseQueue? in
            defer { queue = nil }
            return queue
        }
        try queue?.close()
    }

    /// Makes `db`'s commits report to this checkpointer (replacing SQLite's automatic
    /// checkpoint on that connection). The store keeps the checkpointer alive as long as the
    /// connection.
    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, db, name, frames in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            checkpointer.committed(frames: frames, db: db, name: name)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called on the writer after each commit with the number of frames now in the WAL.
    private func committed(frames: Int32, db: OpaquePointer?, name: UnsafePointer<CChar>?) {
        switch schedule.withLock({ $0.action(afterCommitLeaving: frames) }) {
        case .none:
            return
        case .writer:
            guard prepare() else { return }
            sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            return
        case .background:
            break
        }
        guard let queue = connection.withLock({ $0 }),
              isRunning.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return }
        schedule.withLock { $0.backgroundStarted(at: frames) }
        queue.asyncWriteWithoutTransaction { [self] db in
            if prepare(), (try? db.checkpoint(.passive)) != nil { completed.add(1, ordering: .relaxed) }
            isRunning.store(false, ordering: .releasing)
        }
    }
}

/// What ``WALCheckpointer`` runs before each checkpoint, in a class so that reading it out of
/// the checkpointer's mutex copies a reference (see `WALCheckpointer.preparation`).
private final class CheckpointPreparation: Sendable {
    let run: @Sendable () -> Bool

    init(_ run: @escaping @Sendable () -> Bool) {
        self.run = run
    }
}
