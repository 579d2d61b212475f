import Dispatch

/// A serial executor on a dispatch queue of its own, usable both as an actor's executor and
/// as a task's executor preference.
///
/// A ``Node`` whose transport offers no executor (see `MeshTransport.preferredExecutor`) runs
/// on one of these. A deterministic simulation gives ONE to all its nodes and runs its driver
/// with it as task executor preference: every step then runs on the same queue, one job after
/// another, and handing control between the driver and a node is a queue append instead of a
/// thread wake-up.
public final class SerialQueueExecutor: SerialExecutor, TaskExecutor {
    private let queue: DispatchQueue

    /// Creates an executor on a new serial queue named `label`.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `job` on the queue, after the jobs before it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor()) }
    }

    /// This executor, unowned.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// This executor as a task executor, unowned.
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Traps unless called on the queue.
    public func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
