public import Troupe

/// What a simulation runs and checks: the nodes, the inputs injected from outside, and the
/// invariants judged at the end.
public protocol SimulationWorkload: Sendable {
    /// The nodes, in a fixed order (the order in which they start and are stepped).
    var nodes: [SimulatedNodeSpec] { get }
    /// How many inputs the workload injects.
    var injectionCount: Int { get }
    /// Injects input `index` (0-based) through the running nodes; returns the trace text, or
    /// nil when the node it goes through is down (the simulator retries later, as a client would).
    func inject(_ index: Int, into nodes: SimulatedNodes) async throws -> String?
    /// Judges the settled system.
    func check(_ nodes: SimulatedNodes) async throws -> SimulationVerdict
}

/// The running nodes of a simulation, by node id.
public struct SimulatedNodes: Sendable {
    /// The handles of the nodes that are up.
    public var handles: [String: any SimulatedNodeHandle]

    /// Wraps `handles`.
    public init(handles: [String: any SimulatedNodeHandle]) {
        self.handles = handles
    }

    /// The runtime node `nodeID`, if it is up and hosts `S`.
    public func node<S: ServiceDefinition>(_ nodeID: String, hosting: S.Type = S.self) -> Node<S>? {
        (handles[nodeID] as? SimulatedNode<S>)?.node
    }
}

/// The outcome of a workload's checks.
public struct SimulationVerdict: Sendable, Hashable {
    /// Whether every invariant held.
    public var passed: Bool
    /// The human-readable report, one line per invariant.
    public var report: String
    /// Every counterexample of every failed invariant, e.g. `order-0017 confirmed but notified 2 times`.
    public var counterexamples: [String]

    /// Creates a verdict.
    public init(passed: Bool, report: String, counterexamples: [String]) {
        self.passed = passed
        self.report = report
        self.counterexamples = counterexamples
    }
}
