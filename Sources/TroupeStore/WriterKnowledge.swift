/// What a store's writer knows about its tables between transactions, so that a commit does not
/// ask SQLite again what an earlier commit already established.
///
/// - `oldestExpiry` and `archiveHorizon`: a commit with nothing to trim runs no trimming
///   statement at all (see `BatchWriter.trim()`).
/// - `nextArchiveSeq` and `newestArchiveBlock`: the writer numbers archive entries itself and
///   fills the newest ``ArchiveIndexBlock`` before starting another; without them, every
///   transaction would first read the newest block.
/// - `releasedRowsMayExist`: completions skip the per-event probe of `outbox_released` while
///   the table is empty.
///
/// Each figure is learned with one indexed query the first time it is needed and then kept up
/// to date by the commits themselves. A commit changes them only once its transaction is
/// durable: a rolled-back transaction leaves them as they were, which is still true of the
/// tables it left as they were. Reading the largest seq and probing `outbox_released` once per
/// transaction instead cost two statements per commit, which matters where commits are small: at
/// a fixed 300 events/s (about one event per commit), the writer's work per event measured
/// 63.4k instructions with them and 61.6k without (Benchmarks/README.md, seventeenth round).
struct WriterKnowledge: Sendable {
    /// The earliest idempotency expiry in the table (`Int64.max`: no records); nil: not known yet.
    var oldestExpiry: Int64?
    /// The seq of the oldest archive entry retention keeps (`archive_horizon`): entries below it
    /// are gone even where their block is still stored; nil: not known yet.
    var archiveHorizon: Int64?
    /// The seq of the next archive entry: one past the largest ever written (so a seq is never
    /// given twice, even after retention emptied the archive); nil: not known yet.
    var nextArchiveSeq: Int64?
    /// The newest stored archive block, which the next entries fill up before a new block is
    /// started (nil: none stored); meaningful once `newestArchiveBlockKnown`.
    var newestArchiveBlock: ArchiveIndexBlock?
    /// Whether `newestArchiveBlock` was read from the table (or written since).
    var newestArchiveBlockKnown = false
    /// Where the ``ArchiveLog``'s next record goes: one past the last record a committed entry
    /// names (nil: not known yet; the writer then also cuts any tail beyond it).
    var archiveLogEnd: Int64?
    /// False only while `outbox_released` is known to be empty; it becomes true with the first
    /// release and stays so (nil: not known yet). A completion removes its event's releases,
    /// but the writer does not count them, so an emptied table is learned only when the store
    /// is opened again; until then completions probe it, as they did before this was known.
    var releasedRowsMayExist: Bool?
}
