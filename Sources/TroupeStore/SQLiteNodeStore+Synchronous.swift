extension SQLiteNodeStore {
    /// How hard a commit waits for the disk (SQLite's `PRAGMA synchronous`, under WAL).
    public enum Synchronous: Sendable, Hashable {
        /// `NORMAL`: the WAL is synced at checkpoints, not at every commit. A committed batch
        /// survives a crash of the process (the usual failure, and the one chaos tests inject);
        /// on power loss or an OS crash the last transactions may be lost, never half of one.
        /// What that costs: events whose lost batch was already acknowledged are not redelivered
        /// (their effects are gone), and published events of a lost batch are never sent. The
        /// default, for throughput; choose ``full`` where that loss is unacceptable.
        case normal
        /// `FULL`: the WAL is synced at every commit, so a commit also survives power loss, at
        /// the cost of an fsync per transaction (group commit amortises it).
        case full

        var pragmaValue: String {
            switch self {
            case .normal: "NORMAL"
            case .full: "FULL"
            }
        }
    }
}
