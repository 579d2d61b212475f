/// What a store's writer knows about its two bounded tables, so that a commit with nothing to
/// trim runs no trimming statement at all (see `BatchWriter.trim`).
///
/// Both figures are learned with one indexed query the first time they are needed and then kept
/// up to date by the commits themselves. A commit changes them only once its transaction is
/// durable: a rolled-back transaction leaves them as they were.
struct RetentionBounds: Sendable {
    /// The earliest idempotency expiry in the table (`Int64.max`: no records); nil: not known yet.
    var oldestExpiry: Int64?
    /// `max(seq) − min(seq) + 1` of the archive (0: empty), which is its row count because rows
    /// are appended at `max + 1` and deleted oldest first; nil: not known yet.
    var archiveSpan: Int?
}
