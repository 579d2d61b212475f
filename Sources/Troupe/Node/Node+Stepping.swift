public import TroupeMesh

/// Driving a node one step at a time, for a deterministic simulator.
///
/// ``Node/run()`` consumes the mesh's notification stream and ticks its timers from a task that
/// sleeps on the system clock: right for a process, useless for a simulation, where time is
/// virtual and nothing may run concurrently. A driver instead calls ``prepareForStepping()``
/// once, hands each notification to ``process(_:)``, and calls ``runTimers()`` when the virtual
/// clock reaches ``nextTimerDeadline``. Each call runs to completion before the driver takes its
/// next step, so the order of everything the node does is fixed by the driver alone. The code
/// that runs is the same as under ``Node/run()``: only the loop around it differs.
extension Node {
    /// Subscribes the service's handlers with the mesh, as ``Node/run()`` does first, without
    /// starting the notification loop or the timer task. Throws if a content filter is invalid.
    public func prepareForStepping() async throws {
        try await subscribeHandlers()
    }

    /// Handles one mesh notification to completion: a delivery is checked, handled, committed
    /// and acknowledged; an ack, nack or interest change updates delivery state.
    @discardableResult
    public func process(_ notification: MeshNotification) async -> NodeStepReport {
        await handle(notification)
        return stepReport
    }

    /// Fires every timer that is due at the clock's current instant: redeliveries, ack batches,
    /// parked-event retention.
    @discardableResult
    public func runTimers() async -> NodeStepReport {
        await tick()
        return stepReport
    }

    /// The node's counters and next timer now.
    public var stepReport: NodeStepReport {
        NodeStepReport(statistics: statistics, nextTimerDeadline: nextTimerDeadline)
    }

    /// The earliest instant at which ``runTimers()`` has work, or nil when no timer is armed.
    public var nextTimerDeadline: MonotonicTime? {
        [delivery.nextDeadline, ackBatcher.nextDeadline, deferredCommitDeadline].compactMap { $0 }.min()
    }
}
