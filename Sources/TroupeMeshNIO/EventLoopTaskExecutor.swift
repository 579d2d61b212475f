import NIOCore

/// A `TaskExecutor` that runs jobs on one event loop.
///
/// A task that prefers it (`withTaskExecutorPreference`, `Task(executorPreference:)`) runs its
/// nonisolated code on the loop instead of the global concurrent pool, and is resumed there
/// after a suspension (a continuation resumed by the loop, a loop timer that fired).
///
/// Why a runtime node needs it: a continuation remembers no actor. Resumed by the loop, it is
/// enqueued on the task's preferred executor, or else on the global pool, whose thread then
/// hops back to the loop — a futex wake-up, an eventfd write and a loop wake-up per
/// resumption. A node takes that path each time its notification inbox was empty, which at a
/// steady 10k events/s is once per event. So the node waits for an empty inbox with this
/// executor preferred (`Node.nextNotification`): the resumption becomes two appends to the
/// loop's own task queue, with no other thread. Measured at 10k events/s, memory mode, 5
/// alternating runs: context switches per run 172k → 120k; publish→handled p50 161 → 142 µs,
/// p90 379 → 283 µs, p99 1.35 → 0.93 ms (medians); throughput unchanged.
///
/// Measured and rejected:
/// - keeping the preference for the node's whole run (handling included): memory-mode
///   throughput fell from 44-50k to 31-40k events/s;
/// - making this object the node actor's serial executor as well, so that a resumed wait
///   continues inside the actor without the second append: NIO's own loop executor enqueues a
///   job without allocating, this one allocates a closure per job, and memory-mode throughput
///   fell from ~70k to ~59k events/s (medians of 3 alternating).
///
/// `troupe bench` also runs its fixed-rate schedule with this preference: the schedule's timer
/// is the loop's, and handing each due batch to the node is a call on the same thread.
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
