public import TroupeChaos

/// Everything a run produced.
public struct SimulationResult: Sendable {
    /// The run's seed.
    public var seed: UInt64
    /// The fault schedule that was applied (from the nemesis or a scenario file).
    public var faults: Scenario
    /// The workload's judgement of the settled system.
    public var verdict: SimulationVerdict
    /// The FNV-1a hash of the whole trace.
    public var traceHash: UInt64
    /// The trace's lines, when they were kept.
    public var traceLines: [String]
    /// How many lines the trace has.
    public var traceLineCount: Int
    /// Virtual time at the end of the run.
    public var virtualNanoseconds: Int64
    /// Whether the system settled (nothing in flight, every outbox empty) before the deadline.
    public var settled: Bool
    /// How many scheduler items ran.
    public var steps: Int
    /// Network counters.
    public var counters: SimulationCounters
    /// Reads of the system clock or of an unseeded random source during the run; must be empty.
    public var determinismViolations: [String]

    /// Whether every invariant held and the run stayed deterministic.
    public var passed: Bool { verdict.passed && determinismViolations.isEmpty }

    /// The trace hash as 16 hex digits.
    public var traceHashText: String { SimulationTrace.hex(traceHash) }
}
