import NIOCore

/// A `TaskExecutor` that runs jobs on one event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`, `Task(executorPreference:)`) runs its
/// nonisolated code on the loop instead of the global concurrent pool, and is resumed there
/// after a suspension (a continuation resumed by the loop, a loop timer that fired). `troupe
/// bench` runs its fixed-rate schedule this way: the schedule's timer is the loop's, and
/// handing each due batch to the node is a call on the same thread.
///
/// Measured and rejected: running the node's own notification loop with this preference. It
/// spared the pool thread that otherwise carries each wake-up of an idle node back to the loop,
/// but two enqueues per wake-up on the loop cost more than they saved: memory-mode throughput
/// fell from 44-50k to 31-40k events/s (process mode, alternating A/B), with no gain in the
/// CPU per event at a steady 10k events/s.
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    let eventLoop: any EventLoop

    /// Creates an executor running jobs on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `job` on the loop (in order with the loop's other work).
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// This executor as an unowned reference.
    func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
