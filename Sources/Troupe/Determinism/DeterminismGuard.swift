import Synchronization

/// Watches for reads of the wall clock or of an unseeded random source while a deterministic
/// simulation is running.
///
/// A simulation is only repeatable if every instant and every random choice the runtime sees
/// comes from the simulator's virtual clock and from generators derived from its one seed. The
/// runtime has exactly two places that reach outside: ``SystemNodeClock`` and the fallback seed
/// of a node configured without ``NodeConfiguration/randomSeed``. Both report here; when a
/// ``DeterminismMonitor`` is bound to the current task (the simulator binds one around a run),
/// the read is recorded as a violation. Outside a simulation nothing is bound and the check costs
/// one task-local read.
public enum DeterminismGuard {
    /// The monitor of the simulation running in this task, if any.
    @TaskLocal public static var monitor: DeterminismMonitor?

    /// Records that `source` (e.g. `"SystemNodeClock.wallMicros"`) was read.
    @inlinable
    public static func nondeterministicRead(_ source: StaticString) {
        if let monitor { monitor.record(source) }
    }

    /// A random seed from the system generator, reported as a nondeterministic read. The one
    /// place the runtime may draw an unseeded value.
    public static func unseededRandomSeed() -> UInt64 {
        nondeterministicRead("UInt64.random (unseeded node seed)")
        return UInt64.random(in: .min ... .max)
    }
}

/// Collects the nondeterministic reads made while it is bound (see ``DeterminismGuard``).
public final class DeterminismMonitor: Sendable {
    private let reads = Mutex<[String]>([])

    /// Creates a monitor with no recorded read.
    public init() {}

    /// Records one read of `source`.
    public func record(_ source: StaticString) {
        let name = "\(source)"
        reads.withLock { $0.append(name) }
    }

    /// Every read recorded, in order.
    public var violations: [String] { reads.withLock { $0 } }
}
