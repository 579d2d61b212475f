/// When a node store's WAL hook starts a checkpoint (the pure part of ``WALCheckpointer``).
///
/// After each commit the writer learns how many frames the WAL holds. From
/// ``backgroundThreshold`` frames on, a background checkpoint is started — but only once at
/// least ``backgroundStep`` frames were added since the last one started. A PASSIVE checkpoint
/// racing a steady writer never quite catches up with it, so without the step a new one began
/// right after the previous one ended, after nearly every commit: each copying a handful of
/// frames and syncing the WAL and the database file (105-128 `fdatasync` per node and second at
/// 10k events/s). With a step each checkpoint copies a batch of frames, fewer times, and a page
/// written by several commits is copied once. From ``writerThreshold`` frames the writer
/// checkpoints itself, which bounds the WAL. The WAL is restarted by the writer whenever a
/// checkpoint had caught up; the schedule notices (fewer frames than at the last start) and
/// starts over.
///
/// Measured with `troupe bench --mode durable --msgs 30000 --rate 10000` (Benchmarks/README.md,
/// eleventh round), p99 publish→handled: with a step of 100 frames 1.66-2.22 ms against
/// 1.95-3.37 ms without (p50 660-691 against 738-892 µs), 5 alternating runs; this type against
/// its parent, 6 alternating pairs, 2.04-2.48 against 2.16-3.02 ms. Steps of 1000 frames were
/// worse than none (2.90-4.27 ms: each checkpoint then copies and syncs megabytes at once), and
/// so were checkpoints that do not sync (a diagnostic, not an option: 4.1-4.7 ms, as they then
/// run back to back).
struct CheckpointSchedule: Sendable {
    /// What to do after a commit.
    enum Action: Equatable, Sendable {
        /// Nothing.
        case none
        /// Start a background checkpoint (unless one is running).
        case background
        /// The writer checkpoints itself, now.
        case writer
    }

    /// WAL frames from which background checkpoints start.
    let backgroundThreshold: Int32
    /// Frames the WAL must have grown by since the last background checkpoint started.
    let backgroundStep: Int32
    /// WAL frames from which the writer checkpoints itself.
    let writerThreshold: Int32
    /// WAL frames when the last background checkpoint started; 0 since the WAL restarted.
    private(set) var lastBackgroundStart: Int32 = 0

    /// A schedule; `0 < backgroundThreshold < writerThreshold`, `backgroundStep ≥ 1`.
    init(backgroundThreshold: Int32, backgroundStep: Int32, writerThreshold: Int32) {
        precondition(0 < backgroundThreshold && backgroundThreshold < writerThreshold, "thresholds must satisfy 0 < background < writer")
        precondition(backgroundStep >= 1, "the step must be at least one frame")
        self.backgroundThreshold = backgroundThreshold
        self.backgroundStep = backgroundStep
        self.writerThreshold = writerThreshold
    }

    /// What to do after a commit that left `frames` frames in the WAL.
    mutating func action(afterCommitLeaving frames: Int32) -> Action {
        if frames >= writerThreshold { return .writer }
        if frames < lastBackgroundStart { lastBackgroundStart = 0 }  // the WAL was restarted
        guard frames >= backgroundThreshold, frames - lastBackgroundStart >= backgroundStep else { return .none }
        return .background
    }

    /// A background checkpoint started with `frames` frames in the WAL.
    mutating func backgroundStarted(at frames: Int32) {
        lastBackgroundStart = frames
    }
}
