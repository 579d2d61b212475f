/// What a node looks like after one step driven through the stepping API (see
/// ``Node/process(_:)``): its counters and its next timer, returned together so a driver needs
/// no second call to learn what the step did and when to wake the node again.
public struct NodeStepReport: Sendable, Hashable {
    /// The node's counters after the step.
    public var statistics: NodeStatistics
    /// The earliest instant at which ``Node/runTimers()`` has work; nil when no timer is armed.
    public var nextTimerDeadline: MonotonicTime?

    /// Creates a report.
    public init(statistics: NodeStatistics, nextTimerDeadline: MonotonicTime?) {
        self.statistics = statistics
        self.nextTimerDeadline = nextTimerDeadline
    }
}
