import Testing
@testable import TroupeStore

/// When the WAL hook starts checkpoints: from a threshold, a step apart, the writer at its bound,
/// and from the start again after the WAL was restarted.
@Suite("Checkpoint schedule")
struct CheckpointScheduleTests {
    /// Feeds the frame counts of successive commits, starting every background checkpoint it is
    /// told to; returns the frame counts at which it did.
    static func backgroundStarts(_ schedule: inout CheckpointSchedule, _ frames: [Int32]) -> [Int32] {
        frames.filter { count in
            guard schedule.action(afterCommitLeaving: count) == .background else { return false }
            schedule.backgroundStarted(at: count)
            return true
        }
    }

    @Test func backgroundCheckpointsStartFromTheThresholdAStepApart() {
        var schedule = CheckpointSchedule(backgroundThreshold: 1000, backgroundStep: 100, writerThreshold: 16_000)
        #expect(schedule.action(afterCommitLeaving: 999) == .none)
        let commits = Array(stride(from: Int32(1000), through: 1300, by: 30))  // 1000, 1030, ... 1300
        #expect(Self.backgroundStarts(&schedule, commits) == [1000, 1120, 1240])
    }

    @Test func aCheckpointNotStartedBecauseOneWasRunningIsStartedByTheNextCommit() {
        var schedule = CheckpointSchedule(backgroundThreshold: 10, backgroundStep: 5, writerThreshold: 100)
        #expect(schedule.action(afterCommitLeaving: 12) == .background)
        // One was still running: nothing started, nothing recorded.
        #expect(schedule.action(afterCommitLeaving: 13) == .background)
        schedule.backgroundStarted(at: 13)
        #expect(schedule.action(afterCommitLeaving: 17) == .none)
        #expect(schedule.action(afterCommitLeaving: 18) == .background)
    }

    @Test func theWriterCheckpointsItselfAtItsBoundWhateverTheStep() {
        var schedule = CheckpointSchedule(backgroundThreshold: 10, backgroundStep: 50, writerThreshold: 40)
        schedule.backgroundStarted(at: 30)
        #expect(schedule.action(afterCommitLeaving: 39) == .none)
        #expect(schedule.action(afterCommitLeaving: 40) == .writer)
        #expect(schedule.action(afterCommitLeaving: 41) == .writer)
    }

    @Test func aRestartedWALStartsTheScheduleOver() {
        var schedule = CheckpointSchedule(backgroundThreshold: 10, backgroundStep: 8, writerThreshold: 1000)
        #expect(Self.backgroundStarts(&schedule, [10, 12, 18]) == [10, 18])
        // The checkpoint caught up; the writer's next transaction began the WAL again.
        #expect(schedule.action(afterCommitLeaving: 3) == .none)
        #expect(schedule.lastBackgroundStart == 0)
        #expect(Self.backgroundStarts(&schedule, [7, 11, 15, 19]) == [11, 19])
    }
}
