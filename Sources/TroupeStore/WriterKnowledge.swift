/// What a store's writer knows about its tables between transactions, so that a commit does not
/// ask SQLite again what an earlier commit already established.
///
/// - `oldestExpiry` and `archiveSpan`: a commit with nothing to trim runs no trimming statement
///   at all (see `BatchWriter.trim()`).
/// - `nextArchiveSeq`: the writer numbers archive rows itself (see `BatchWriter`'s archive
///   insert); without it, every transaction would first read the table's largest seq.
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
    /// `max(seq) − min(seq) + 1` of the archive (0: empty), which is its row count because rows
    /// are appended at `max + 1` and deleted oldest first; nil: not known yet.
    var archiveSpan: Int?
    /// The seq of the next archive row: one past the largest ever written (so a seq is never
    /// given twice, even after retention emptied the table); nil: not known yet.
    var nextArchiveSeq: Int64?
    /// Where the ``ArchiveLog``'s next record goes: one past the last record a committed entry
    /// names (nil: not known yet; the writer then also cuts any tail beyond it).
    var archiveLogEnd: Int64?
    /// False only while `outbox_released` is known to be empty; it becomes true with the first
    /// release and stays so (nil: not known yet). A completion removes its event's releases,
    /// but the writer does not count them, so an emptied table is learned only when the store
    /// is opened again; until then completions probe it, as they did before this was known.
    var releasedRowsMayExist: Bool?
}
