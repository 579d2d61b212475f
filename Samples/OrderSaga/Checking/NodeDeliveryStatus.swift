/// One node's delivery bookkeeping, as the "no event lost" invariant needs it.
public struct NodeDeliveryStatus: Codable, Sendable, Hashable {
    /// The node's id.
    public var nodeID: String
    /// Events it published that are not yet acknowledged by every target group (or dead-
    /// lettered), including events parked because no group wanted them.
    public var outboxDepth: Int
    /// Entries in its dead-letter queue.
    public var deadLetterCount: Int

    /// Creates a status.
    public init(nodeID: String, outboxDepth: Int, deadLetterCount: Int) {
        self.nodeID = nodeID
        self.outboxDepth = outboxDepth
        self.deadLetterCount = deadLetterCount
    }
}
