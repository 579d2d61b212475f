/// The CONTROL commands of the chaos layer, answered by every node a ``ChaosController`` serves.
public enum ChaosControlCommand {
    /// `faults.set` with ``FaultPlanUpdate`` → ``FaultStatus``.
    public static let set = "faults.set"
    /// `faults.clear` → ``FaultStatus``.
    public static let clear = "faults.clear"
    /// `faults.status` → ``FaultStatus``.
    public static let status = "faults.status"
    /// `faults.crash-after-commit` → ``FaultStatus``: the node kills its own process right after
    /// its next handled event commits, before the ack is sent. One shot.
    public static let crashAfterCommit = "faults.crash-after-commit"
}

/// Payload of `faults.set`: the plan that replaces the node's current one and its seed.
public struct FaultPlanUpdate: Codable, Hashable, Sendable {
    /// The new plan.
    public var plan: FaultPlan
    /// The run seed; each node derives its own stream from it (``ChaosSeed/derive(_:nodeID:)``).
    public var seed: UInt64

    /// Creates an update.
    public init(plan: FaultPlan, seed: UInt64) {
        self.plan = plan
        self.seed = seed
    }
}

/// Reply to every chaos command: the plan in force and what the faults have done.
public struct FaultStatus: Codable, Hashable, Sendable {
    /// The node.
    public var nodeID: String
    /// The plan in force.
    public var plan: FaultPlan
    /// Link fault counters of this node's hook.
    public var links: LinkFaultCounters
    /// Handler fault counters.
    public var handlers: HandlerFaultCounters
    /// Inbound frames this node's mesh rejected because their CRC32C did not match.
    public var checksumFailures: Int
    /// Inbound frames this node's mesh rejected for any protocol error.
    public var framesRejected: Int

    /// Creates a status.
    public init(nodeID: String, plan: FaultPlan, links: LinkFaultCounters, handlers: HandlerFaultCounters, checksumFailures: Int, framesRejected: Int) {
        self.nodeID = nodeID
        self.plan = plan
        self.links = links
        self.handlers = handlers
        self.checksumFailures = checksumFailures
        self.framesRejected = framesRejected
    }
}
