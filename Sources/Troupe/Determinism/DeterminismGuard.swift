import Synchronization

/// Watches for reads of the wall clock or of an unseeded random source while a deterministic
/// simulation is running.
///
/// A simulation is only repeatable if every instant and every random choice the runtime sees
/// comes from the simulator's virtual clock and from generators derived from its one seed. The
/// runtime has exactly two places that reach outside: ``SystemNodeClock`` and the fallback seed
/// of a node configured without ``NodeConfiguration/randomSeed``. Both report here; while a
/// ``DeterminismMonitor`` is bound to the current task (``watching(_:_:)``, which the
/// simulator wraps around a run), the read is recorded as a violation.
///
/// Outside a simulation a read costs one relaxed atomic load: the task-local monitor is looked
/// up only while some monitor is bound somewhere in the process. A node reads its clock a few
/// times per event, and each task-local lookup cost ~130 instructions (callgrind,
/// Benchmarks/README.md, fifteenth round).
public enum DeterminismGuard {
    /// The monitor of the simulation running in this task, if any.
    @TaskLocal static var monitor: DeterminismMonitor?

    /// How many ``watching(_:_:)`` calls are running, in any task.
    private static let boundMonitors = Atomic<Int>(0)

    /// Runs `body` with `monitor` bound to the task (and the tasks it creates).
    public static func watching<Result>(
        _ monitor: DeterminismMonitor, _ body: () async throws -> Result
    ) async rethrows -> Result {
        boundMonitors.add(1, ordering: .relaxed)
        defer { boundMonitors.subtract(1, ordering: .relaxed) }
        return try await $monitor.withValue(monitor, operation: body)
    }

    /// Runs `body` with `monitor` bound to the task, synchronously.
    public static func watching<Result>(_ monitor: DeterminismMonitor, _ body: () throws -> Result) rethrows -> Result {
        boundMonitors.add(1, ordering: .relaxed)
        defer { boundMonitors.subtract(1, ordering: .relaxed) }
        return try $monitor.withValue(monitor, operation: body)
    }

    /// Records that `source` (e.g. `"SystemNodeClock.wallMicros"`) was read.
    public static func nondeterministicRead(_ source: StaticString) {
        guard boundMonitors.load(ordering: .relaxed) > 0, let monitor else { return }
        monitor.record(source)
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
