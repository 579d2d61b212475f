/// One timed step of a ``Scenario``, as written in a scenario file.
///
/// A step starts `at` an offset into the run and either injects faults — for `for` (or until the
/// scenario's end) — or crashes a node's process and restarts it `restartAfter` later:
///
/// ```json
/// {"at": "2s", "partition": ["payment"], "for": "5s"}
/// {"at": "4s", "crash": "inventory", "restartAfter": "3s"}
/// {"at": "2s", "crashAfterCommit": "payment", "restartAfter": "2s"}
/// {"at": "0s", "drop": 0.2, "from": "*", "to": "*"}
/// {"at": "1s", "node": "payment", "slow": "30ms", "handlerFailure": 0.1, "for": "4s"}
/// {"at": "1s", "poison": "OrderPlaced", "count": 3}
/// ```
public struct ScenarioStep: Codable, Hashable, Sendable {
    /// Offset into the run, e.g. `"2s"`.
    public var at: String
    /// How long the faults last (default: until the scenario ends).
    public var `for`: String?
    /// Nodes or services cut off from every other node (both ways unless `oneWay`).
    public var partition: [String]?
    /// A partition drops only what the listed nodes send, not what they receive.
    public var oneWay: Bool?
    /// Sending end of link faults (node id, service or `*`).
    public var from: String?
    /// Receiving end of link faults.
    public var to: String?
    /// Probability a data frame is lost.
    public var drop: Double?
    /// Probability a data frame travels twice.
    public var duplicate: Double?
    /// Probability a data frame has a byte flipped.
    public var corrupt: Double?
    /// Probability an ACK frame is lost after the consumer committed.
    public var ackLoss: Double?
    /// Fixed delay of data frames, e.g. `"20ms"`.
    public var delay: String?
    /// Extra random delay up to this, e.g. `"30ms"`.
    public var jitter: String?
    /// Reorder window, e.g. `"50ms"`.
    public var reorder: String?
    /// Bandwidth cap, bytes per second.
    public var bandwidth: Int?
    /// Node faults apply to this node or service (default `*`).
    public var node: String?
    /// Probability a delivery's handler fails.
    public var handlerFailure: Double?
    /// Every delivery waits this long before its handler, e.g. `"30ms"`.
    public var slow: String?
    /// The node takes no delivery for this long from the step's start, e.g. `"2s"`.
    public var pause: String?
    /// The node's wall clock runs this far ahead, e.g. `"2h"`; a leading `-` puts it behind.
    public var clockSkew: String?
    /// Kill this node's process (SIGKILL).
    public var crash: String?
    /// Crash this node's process right after its next handled event COMMITS, before its ack
    /// is sent: the effect is durable, the ack is lost, and the publisher redelivers to a node
    /// that restarts from its store (the window a naive "write key, then process" design loses
    /// or duplicates work in). Restarted `restartAfter` later, like ``crash``.
    public var crashAfterCommit: String?
    /// Restart a crashed node this long after the crash (default 1s).
    public var restartAfter: String?
    /// Publish poison events of this type: a payload no handler can decode, which must end in
    /// the dead-letter queue without blocking the group.
    public var poison: String?
    /// How many poison events (default 1).
    public var count: Int?

    /// Creates a step at `at`; set the fields of the faults it injects.
    public init(at: String) { self.at = at }
}
