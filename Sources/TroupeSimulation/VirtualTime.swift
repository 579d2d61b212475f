import Synchronization

/// The simulator's one clock: virtual nanoseconds since the start of a run.
///
/// Only the scheduler moves it (to the instant of the item it is about to run); everything
/// else reads it: the nodes' clocks (``VirtualNodeClock``), the mesh state machines (`now`
/// arguments), the chaos layer's link hook (bandwidth accounting). Time never passes while
/// an item runs, so a run's timing is a pure function of its seed.
public final class VirtualTime: Sendable {
    private let nanos = Atomic<Int64>(0)

    /// Creates a clock at zero.
    public init() {}

    /// Nanoseconds since the start of the run.
    public var nanoseconds: Int64 { nanos.load(ordering: .relaxed) }

    /// Moves the clock to `nanoseconds` (never backwards; the scheduler guarantees it).
    func advance(to nanoseconds: Int64) {
        nanos.store(nanoseconds, ordering: .relaxed)
    }
}
