/// Faults on one node's handlers (node id or service; `*` for every node).
public struct NodeFault: Codable, Hashable, Sendable {
    /// Node id or service, or `*`.
    public var node: String
    /// Probability (0…1) that a delivery's handler fails (the delivery is NACKed and retried).
    public var handlerFailure: Double
    /// Every delivery waits this long before its handler runs (a slow consumer), milliseconds.
    public var slowHandlerMillis: Int
    /// The node stops taking deliveries for this long after the plan is set, milliseconds.
    public var pauseMillis: Int
    /// The node's wall clock runs this far ahead (negative: behind), milliseconds.
    public var clockSkewMillis: Int

    /// Creates a node fault; by default it matches every node and does nothing.
    public init(node: String = "*", handlerFailure: Double = 0, slowHandlerMillis: Int = 0, pauseMillis: Int = 0, clockSkewMillis: Int = 0) {
        self.node = node
        self.handlerFailure = handlerFailure
        self.slowHandlerMillis = slowHandlerMillis
        self.pauseMillis = pauseMillis
        self.clockSkewMillis = clockSkewMillis
    }

    /// Whether the fault applies to the node `nodeID` hosting `service`.
    public func covers(nodeID: String, service: String) -> Bool {
        node == "*" || node == nodeID || node == service
    }

    private enum CodingKeys: String, CodingKey { case node, handlerFailure, slowHandlerMillis, pauseMillis, clockSkewMillis }

    /// Decodes a node fault; every field may be omitted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            node: try c.decodeIfPresent(String.self, forKey: .node) ?? "*",
            handlerFailure: try c.decodeIfPresent(Double.self, forKey: .handlerFailure) ?? 0,
            slowHandlerMillis: try c.decodeIfPresent(Int.self, forKey: .slowHandlerMillis) ?? 0,
            pauseMillis: try c.decodeIfPresent(Int.self, forKey: .pauseMillis) ?? 0,
            clockSkewMillis: try c.decodeIfPresent(Int.self, forKey: .clockSkewMillis) ?? 0
        )
    }
}
