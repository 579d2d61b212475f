public import Troupe
public import TroupeChaos

/// The whole mesh as the dashboard draws it, one frame of the `GET /events` stream (and the
/// body of `GET /mesh`).
public struct MeshSnapshot: Codable, Sendable {
    /// When, microseconds since the Unix epoch.
    public var atMicros: Int64
    /// The node that assembled it.
    public var servedBy: String
    /// Every node, by id.
    public var nodes: [NodeView]
    /// Every pair of nodes, with its state and faults.
    public var links: [LinkView]
    /// Recent orders, newest first (empty when no order service is reachable).
    public var orders: [OrderView]
    /// Orders by state (`pending`, `confirmed`, `cancelled`), over all orders.
    public var orderCounts: [String: Int]

    /// Creates a snapshot.
    public init(atMicros: Int64, servedBy: String, nodes: [NodeView], links: [LinkView], orders: OrdersOverview) {
        self.atMicros = atMicros
        self.servedBy = servedBy
        self.nodes = nodes
        self.links = links
        self.orders = orders.recent
        self.orderCounts = orders.counts
    }
}

/// One node in a ``MeshSnapshot``.
public struct NodeView: Codable, Sendable, Hashable {
    /// Node id.
    public var nodeID: String
    /// Hosted service.
    public var service: String
    /// Mesh listen address.
    public var listen: String
    /// Whether it answered.
    public var reachable: Bool
    /// Its counters, when it answered.
    public var statistics: NodeStatistics?
    /// Members it is connected to.
    public var connectedMembers: [String]
    /// The fault plan in force on it.
    public var faults: FaultPlan?
    /// Why it did not answer.
    public var error: String?

    /// Creates a view.
    public init(nodeID: String, service: String, listen: String, reachable: Bool, statistics: NodeStatistics? = nil,
                connectedMembers: [String] = [], faults: FaultPlan? = nil, error: String? = nil) {
        self.nodeID = nodeID
        self.service = service
        self.listen = listen
        self.reachable = reachable
        self.statistics = statistics
        self.connectedMembers = connectedMembers
        self.faults = faults
        self.error = error
    }
}

/// One undirected link between two nodes in a ``MeshSnapshot``.
public struct LinkView: Codable, Sendable, Hashable {
    /// One end (the smaller node id).
    public var a: String
    /// The other end.
    public var b: String
    /// Whether either end reports the other as connected.
    public var connected: Bool
    /// `ok`, `degraded` (probabilistic faults, delays) or `partitioned`.
    public var condition: String
    /// The faults covering the link, in words (`drop 20% payment→order`).
    public var faults: [String]

    /// Creates a view.
    public init(a: String, b: String, connected: Bool, condition: String, faults: [String]) {
        self.a = a
        self.b = b
        self.connected = connected
        self.condition = condition
        self.faults = faults
    }

    /// The links between every pair of `nodes`, coloured by the union of their fault plans.
    public static func links(between nodes: [NodeView]) -> [LinkView] {
        let sorted = nodes.sorted { $0.nodeID < $1.nodeID }
        let plans = sorted.compactMap(\.faults)
        var links: [LinkView] = []
        for (index, first) in sorted.enumerated() {
            for second in sorted[(index + 1)...] {
                let connected = first.connectedMembers.contains(second.nodeID) || second.connectedMembers.contains(first.nodeID)
                var words: [String] = []
                var partitioned = false
                var degraded = false
                for (sender, receiver) in [(first, second), (second, first)] {
                    for plan in plans {
                        for fault in plan.links where fault.covers(sender: (sender.nodeID, sender.service), receiver: (receiver.nodeID, receiver.service)) {
                            let text = describe(fault)
                            guard !text.isEmpty else { continue }
                            if fault.partition { partitioned = true } else { degraded = true }
                            let entry = "\(text) \(sender.nodeID)→\(receiver.nodeID)"
                            if !words.contains(entry) { words.append(entry) }
                        }
                    }
                }
                let condition = partitioned ? "partitioned" : degraded ? "degraded" : "ok"
                links.append(LinkView(a: first.nodeID, b: second.nodeID, connected: connected, condition: condition, faults: words))
            }
        }
        return links
    }

    /// A link fault in a few words: `partition`, `drop 20%, delay 50ms`.
    static func describe(_ fault: LinkFault) -> String {
        var parts: [String] = []
        if fault.partition { parts.append("partition") }
        func percent(_ name: String, _ value: Double) { if value > 0 { parts.append("\(name) \(Int((value * 100).rounded()))%") } }
        percent("drop", fault.drop)
        percent("duplicate", fault.duplicate)
        percent("corrupt", fault.corrupt)
        percent("ack loss", fault.ackLoss)
        if fault.delayMillis > 0 || fault.jitterMillis > 0 { parts.append("delay \(fault.delayMillis)±\(fault.jitterMillis)ms") }
        if fault.reorderWindowMillis > 0 { parts.append("reorder \(fault.reorderWindowMillis)ms") }
        if fault.bandwidthBytesPerSecond > 0 { parts.append("bandwidth \(fault.bandwidthBytesPerSecond)B/s") }
        return parts.joined(separator: ", ")
    }
}

/// One order in a ``MeshSnapshot``.
public struct OrderView: Codable, Sendable, Hashable {
    /// Order id.
    public var orderID: String
    /// `pending`, `confirmed` or `cancelled`.
    public var status: String
    /// Why it was cancelled.
    public var reason: String?
    /// When it was placed, microseconds since the Unix epoch.
    public var placedAtMicros: Int64?
    /// When it ended.
    public var terminalAtMicros: Int64?

    /// Creates a view.
    public init(orderID: String, status: String, reason: String? = nil, placedAtMicros: Int64? = nil, terminalAtMicros: Int64? = nil) {
        self.orderID = orderID
        self.status = status
        self.reason = reason
        self.placedAtMicros = placedAtMicros
        self.terminalAtMicros = terminalAtMicros
    }
}

/// The orders part of a ``MeshSnapshot``: the most recent ones and the counts by state.
public struct OrdersOverview: Codable, Sendable, Hashable {
    /// Most recent orders, newest first.
    public var recent: [OrderView]
    /// Orders by state, over all orders.
    public var counts: [String: Int]

    /// Creates an overview.
    public init(recent: [OrderView] = [], counts: [String: Int] = [:]) {
        self.recent = recent
        self.counts = counts
    }
}
